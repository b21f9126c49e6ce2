//! The Gemini provider: `generateContent` with the file inline and a response schema.
