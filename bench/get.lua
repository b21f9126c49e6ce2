-- Plain GETs (the URL and headers come from the wrk command line).
dofile(os.getenv("BENCH_DIR") .. "/report.lua")
