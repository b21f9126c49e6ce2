//! The HTML of the signing form: the template's name, the prefilled values, the typed name, the
//! signature (typed, or drawn on a canvas), the consent box, "Signer / Sign" and "Refuser /
//! Decline" with a reason. French first, English after; one inline script, no external asset.

use actix_web::{HttpResponse, http::StatusCode};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

use super::Form;
use crate::pages::page;
use crate::templates::FieldKind;

/// Posts `start` on the first interaction, and puts a drawn signature into the form on submit.
const SCRIPT: &str = r#"<script>
(function () {
  var form = document.getElementById('sign');
  var token = form.querySelector('[name=authenticity_token]').value;
  var started = false;
  function start() {
    if (started) return;
    started = true;
    fetch(form.getAttribute('data-start'), {method: 'POST', credentials: 'same-origin',
      headers: {'Content-Type': 'application/x-www-form-urlencoded'},
      body: 'authenticity_token=' + encodeURIComponent(token)});
  }
  form.addEventListener('input', start);
  form.addEventListener('change', start);
  var canvas = document.getElementById('pad');
  var ctx = canvas.getContext('2d');
  var drawing = false, drawn = false;
  function fit() {
    canvas.width = canvas.clientWidth; canvas.height = canvas.clientHeight;
    ctx.lineWidth = 2.5; ctx.lineCap = 'round'; ctx.strokeStyle = '#0b2a5c';
  }
  fit();
  function at(e) { var r = canvas.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; }
  canvas.addEventListener('pointerdown', function (e) {
    drawing = true; start(); var p = at(e); ctx.beginPath(); ctx.moveTo(p[0], p[1]);
    canvas.setPointerCapture(e.pointerId);
  });
  canvas.addEventListener('pointermove', function (e) {
    if (!drawing) return; var p = at(e); ctx.lineTo(p[0], p[1]); ctx.stroke(); drawn = true;
  });
  canvas.addEventListener('pointerup', function () { drawing = false; });
  document.getElementById('clear').addEventListener('click', function () {
    ctx.clearRect(0, 0, canvas.width, canvas.height); drawn = false;
  });
  form.addEventListener('submit', function () {
    form.querySelector('[name=signature_image]').value = drawn ? canvas.toDataURL('image/png') : '';
  });
})();
</script>"#;

/// The form of `form` with its anti-forgery `token`, and an error above it if any.
pub fn render(form: &Form, token: &str, error: Option<&str>) -> HttpResponse {
    let slug = attr(&form.submitter.slug).to_string();
    let token = attr(token).to_string();
    let mut rows = String::new();
    for field in form
        .template
        .fields
        .iter()
        .filter(|f| f.kind == FieldKind::Text)
    {
        let value = match form.submitter.values.get(field.name) {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        rows.push_str(&format!(
            "<tr><th>{} <span class=\"muted\">/ {}</span></th><td>{}</td></tr>",
            text(field.label_fr),
            text(field.label_en),
            text(&value)
        ));
    }
    let error = error.map_or_else(String::new, |e| {
        format!("<p class=\"error\" role=\"alert\">{}</p>", text(e))
    });
    let name = form.submitter.name.as_deref().unwrap_or_default();
    let expiry = form.submission.expire_at.map_or_else(String::new, |at| {
        format!(
            "<p class=\"muted\">Ce lien expire le / This link expires on {} UTC.</p>",
            at.format("%Y-%m-%d %H:%M")
        )
    });
    let body = format!(
        "<p>Veuillez vérifier puis signer ce document. / Please review and sign this document.</p>\
         {expiry}<table>{rows}</table>{error}\
         <form id=\"sign\" method=\"post\" action=\"/s/{slug}/complete\" data-start=\"/s/{slug}/start\">\
         <input type=\"hidden\" name=\"authenticity_token\" value=\"{token}\">\
         <input type=\"hidden\" name=\"signature_image\" value=\"\">\
         <label for=\"name\">Votre nom / Your name</label>\
         <input type=\"text\" id=\"name\" name=\"name\" required maxlength=\"200\" autocomplete=\"name\" value=\"{name}\">\
         <label for=\"signature\">Signature (tapez votre nom ou dessinez ci-dessous / type your name or draw below)</label>\
         <input type=\"text\" id=\"signature\" name=\"signature\" class=\"typed\" maxlength=\"200\">\
         <canvas id=\"pad\" aria-label=\"Signature dessinée / Drawn signature\"></canvas>\
         <button type=\"button\" id=\"clear\">Effacer / Clear</button>\
         <label><input type=\"checkbox\" name=\"consent\" required> \
         J'accepte de signer électroniquement ce document et que ma signature électronique ait la même valeur \
         qu'une signature manuscrite. / I agree to sign this document electronically and that my electronic \
         signature has the same effect as a handwritten one.</label>\
         <button type=\"submit\" class=\"primary\">Signer / Sign</button></form>\
         <details><summary>Refuser / Decline</summary>\
         <form method=\"post\" action=\"/s/{slug}/decline\">\
         <input type=\"hidden\" name=\"authenticity_token\" value=\"{token}\">\
         <label for=\"reason\">Raison / Reason</label>\
         <textarea id=\"reason\" name=\"reason\" rows=\"3\" maxlength=\"2000\"></textarea>\
         <button type=\"submit\">Refuser / Decline</button></form></details>{SCRIPT}",
        name = attr(name),
    );
    page(StatusCode::OK, form.template.name, &body)
}

/// Links to the signed documents and the audit log, once made.
pub fn download_links(form: &Form) -> String {
    let mut links = String::new();
    for document in &form.submitter.documents {
        links.push_str(&format!(
            "<li><a href=\"{}\">{} (PDF)</a></li>",
            attr(&document.url),
            text(&document.name)
        ));
    }
    if let Some(audit) = &form.submission.audit_log {
        links.push_str(&format!(
            "<li><a href=\"{}\">Journal d'audit / Audit log (PDF)</a></li>",
            attr(&audit.url)
        ));
    }
    if links.is_empty() {
        links
    } else {
        format!("<ul>{links}</ul>")
    }
}
