//! Building portal-auth: storage, keys, ERP client, background workers, routes; served on its own
//! (`shared::http::Application::build(settings)`) or mounted in the hub.

use std::sync::Arc;
use std::time::Duration;

use actix_web::web;
use anyhow::Context;
use secrecy::ExposeSecret;
use shared::claims::{KeyFileAccess, KeyRing};
use shared::erpnext::FrappeClient;
use shared::events::{EventBus, OutboxRelay};
use shared::http::{DbProbe, Metrics, Probe, ServerSettings, Service, ServiceSettings, StaffGate};
use tokio::sync::Notify;
use utoipa::OpenApi;

use crate::admit::Admitter;
use crate::code_key::CodeKey;
use crate::config::Settings;
use crate::metrics::AuthMetrics;
use crate::routes::{self, AppState};
use crate::store::{Limits, Store, now_ms, purge_expired};
use crate::tokens::Tokens;
use crate::worker::LinkWorker;

/// The `service` label of the shared metrics.
const SERVICE: &str = "portal-auth";

/// The OpenAPI document of portal-auth.
#[derive(OpenApi)]
#[openapi(
    info(title = "portal-auth", description = "Passwordless customer login"),
    paths(
        routes::request_link,
        routes::follow_short_link,
        routes::verify_code,
        routes::me,
        routes::logout,
        routes::impersonate,
        routes::impersonations,
        routes::send_tech_link,
        routes::mint_customer_token,
        routes::auth_verify,
        routes::jwks
    ),
    components(schemas(shared::http::Problem))
)]
pub struct ApiDoc;

/// portal-auth, ready to be mounted on a server (its own, or the hub's).
pub struct PortalAuth {
    state: web::Data<AppState>,
    probes: Vec<Arc<dyn Probe>>,
    stop: tokio::sync::watch::Sender<bool>,
    worker: tokio::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl PortalAuth {
    /// Connects storage, loads keys and starts the background work (link worker, outbox relay,
    /// revocation sync, clean-up). Events leave through `bus`; metrics go in `metrics`.
    pub async fn start(
        settings: &Settings,
        bus: Arc<dyn EventBus>,
        metrics: &Metrics,
    ) -> anyhow::Result<Self> {
        let store = Store::connect(&settings.database_url)
            .await
            .context("opening the portal-auth database")?;
        let keys = match &settings.private_key_pem {
            Some(pem) => KeyRing::from_pems(&[(0, pem.expose_secret().to_owned())]),
            None if settings.generate_keys => KeyRing::load_or_generate(&settings.keys_dir),
            None => KeyRing::load(&settings.keys_dir),
        }
        .with_context(|| {
            format!(
                "loading signing keys (JWT_PRIVATE_KEY, or JWT_KEYS_DIR={})",
                settings.keys_dir.display()
            )
        })?;
        let code_key = CodeKey::load(settings)?;
        let erp = settings
            .erp
            .client()
            .context("building the ERP client (ERP_URL)")?
            .with_metrics(metrics.erpnext(SERVICE));
        let auth_metrics = AuthMetrics::register(metrics.registry())
            .context("registering portal-auth's metrics")?;
        metrics.watch(Arc::new(auth_metrics.pending_jobs_gauge(store.clone())));
        metrics.watch_database(SERVICE, store.connection().clone());
        let keys = keys.with_activation_delay(settings.key_activation_s);
        let tokens = Arc::new(Tokens::new(keys, &settings.issuer));
        tokens
            .sync_revocations(&store)
            .await
            .context("loading revocations")?;
        tokens.spawn_revocation_sync(store.clone(), Duration::from_millis(500));
        if settings.private_key_pem.is_none() {
            // Only the embedded default (which generates its keys) tolerates an exposed key file.
            let access = if settings.generate_keys {
                KeyFileAccess::Warn
            } else {
                KeyFileAccess::Refuse
            };
            tokens.spawn_key_reload(
                settings.keys_dir.clone(),
                access,
                settings.key_activation_s,
                settings.keys_reload,
            );
        }

        let relay = OutboxRelay::new(store.connection().clone(), Arc::clone(&bus))
            .with_counters(metrics.outbox(SERVICE));
        let outbox_written = relay.notifier();
        relay.spawn();
        let jobs_queued = Arc::new(Notify::new());
        let limits = Limits {
            per_identifier: settings.identifier_limit,
            per_ip: settings.ip_limit,
            window_ms: i64::try_from(settings.limit_window.as_millis()).unwrap_or(i64::MAX),
        };
        let (stop, stopping) = tokio::sync::watch::channel(false);
        let worker = LinkWorker {
            store: store.clone(),
            erp: erp.clone(),
            tokens: Arc::clone(&tokens),
            portal_url: settings.portal_url.clone(),
            public_url: settings.public_url.clone(),
            sms_country_codes: settings.sms_country_codes.clone(),
            code_key: code_key.clone(),
            email_cap_per_address: settings.email_cap_per_address,
            erp_lookups_per_s: settings.erp_lookups_per_s,
            jobs_queued: Arc::clone(&jobs_queued),
            outbox_written: Arc::clone(&outbox_written),
            metrics: auth_metrics.clone(),
        }
        .spawn(stopping);
        // Rate-limit rows live as long as the longest window (the daily SMS and email caps).
        spawn_janitor(
            store.clone(),
            limits.window_ms.max(crate::worker::SMS_CAP_WINDOW_MS),
        );

        let probes: Vec<Arc<dyn Probe>> = vec![
            Arc::new(DbProbe::new("database", store.connection().clone())),
            Arc::new(ErpProbe(erp.clone())),
        ];
        let state = web::Data::new(AppState {
            admitter: Admitter::spawn(&store, limits),
            store,
            erp,
            tokens,
            trusted_proxies: settings.trusted_proxies.clone(),
            portal_url: settings.portal_url.clone(),
            public_url: settings.public_url.clone(),
            staff_gate: StaffGate {
                trusted_proxies: settings.trusted_proxies.clone(),
                loopback_is_staff: false,
            },
            impersonation_groups: settings.impersonation_groups.clone(),
            dispatch_groups: settings.dispatch_groups.clone(),
            outbox_written: Arc::clone(&outbox_written),
            limits,
            jobs_queued,
            code_key,
            code_backoff_ms: i64::try_from(settings.code_backoff.as_millis()).unwrap_or(i64::MAX),
            code_failures_per_minute: settings.code_failures_per_minute,
            metrics: auth_metrics,
            internal_secret_digest: internal_secret_digest(settings),
        });
        Ok(Self {
            state,
            probes,
            stop,
            worker: tokio::sync::Mutex::new(Some(worker)),
        })
    }

    /// The OpenAPI document.
    pub fn openapi() -> utoipa::openapi::OpenApi {
        ApiDoc::openapi()
    }
}

#[async_trait::async_trait]
impl Service for PortalAuth {
    fn configure(&self, cfg: &mut web::ServiceConfig) {
        routes::configure(cfg, self.state.clone());
    }

    fn probes(&self) -> Vec<Arc<dyn Probe>> {
        self.probes.clone()
    }

    fn document(&self) -> utoipa::openapi::OpenApi {
        Self::openapi()
    }

    /// The link worker takes no new job and finishes the round under way, up to `grace`; what is
    /// left is taken again by a replica once its lease ends.
    async fn drain(&self, grace: Duration) {
        let _ = self.stop.send(true);
        let Some(worker) = self.worker.lock().await.take() else {
            return;
        };
        if tokio::time::timeout(grace, worker).await.is_err() {
            tracing::warn!(
                "link requests still in hand after the grace period; they will be retried"
            );
        }
    }
}

#[async_trait::async_trait]
impl ServiceSettings for Settings {
    type Service = PortalAuth;

    fn server(&self) -> &ServerSettings {
        &self.server
    }

    async fn start(
        &self,
        bus: Arc<dyn EventBus>,
        metrics: &Arc<Metrics>,
    ) -> anyhow::Result<PortalAuth> {
        PortalAuth::start(self, bus, metrics).await
    }
}

/// The digest the internal callers' bearer secret is compared with; none (and said so) when
/// `INTERNAL_API_SECRET` is unset.
fn internal_secret_digest(settings: &Settings) -> Option<[u8; 32]> {
    use sha2::Digest;
    let Some(secret) = &settings.internal_api_secret else {
        tracing::info!("INTERNAL_API_SECRET is unset: POST /internal/customer-tokens is off (404)");
        return None;
    };
    Some(sha2::Sha256::digest(secret.expose_secret().as_bytes()).into())
}

fn spawn_janitor(store: Store, window_ms: i64) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            if let Err(e) = purge_expired(store.connection(), now_ms(), window_ms).await {
                tracing::warn!(error = %e, "purging expired rows failed");
            }
        }
    });
}

struct ErpProbe(FrappeClient);

#[async_trait::async_trait]
impl Probe for ErpProbe {
    fn name(&self) -> &'static str {
        "erp"
    }
    async fn check(&self) -> Result<(), String> {
        self.0.ping().await.map_err(|e| e.to_string())
    }
    /// ERPNext down is no reason to leave the pool: link requests are still answered and queued
    /// (sent when it is back), tokens still verify; only `/portal/me` fails meanwhile.
    fn required(&self) -> bool {
        false
    }
}
