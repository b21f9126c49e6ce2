'use strict';
(function () {
  const form = document.getElementById('read');
  const out = document.getElementById('result');
  const draft = document.getElementById('draft');
  const draftChoice = document.getElementById('draft-choice');
  const send = document.getElementById('send');

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  function heading(fr, en) {
    const h = el('h2', fr + ' ');
    h.append(el('span', en, 'en'));
    return h;
  }

  /** A two-column table of the rows whose value is present. */
  function fields(rows, testid) {
    const table = el('table');
    table.dataset.testid = testid;
    for (const [name, value] of rows) {
      if (value === undefined || value === null || value === '') continue;
      const tr = el('tr');
      tr.append(el('th', name), el('td', Array.isArray(value) ? value.join(', ') : value));
      table.append(tr);
    }
    return table;
  }

  /** Dollars with their cents. */
  function money(value) {
    return typeof value === 'number' ? value.toFixed(2) : value;
  }

  function kind() {
    return form.querySelector('input[name="kind"]:checked').value;
  }

  function showDraftChoice() {
    draftChoice.classList.toggle('hidden', kind() !== 'invoice');
  }

  /** One key per file (and kind): sending the same file again replays the stored answer. */
  async function idempotencyKey(file, what) {
    let id = `${file.size}-${file.lastModified}`;
    if (window.crypto && crypto.subtle) {
      const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
      id = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
    }
    return `vision-page-${what}-${id}`;
  }

  function showProvider(provider) {
    const fell = provider.fell_back ? ' (repli / fell back)' : '';
    out.append(fields([['Lecteur · Provider', provider.name + fell]], 'provider'));
  }

  function showWarnings(warnings) {
    if (!warnings || warnings.length === 0) return;
    out.append(heading('Avertissements', 'Warnings'));
    const list = el('ul', null, 'warnings');
    list.dataset.testid = 'warnings';
    for (const w of warnings) list.append(el('li', `${w.code} — ${w.message}`));
    out.append(list);
  }

  function showInvoice(body) {
    const inv = body.invoice || {};
    const taxes = (inv.taxes || []).map((t) => `${t.name} ${t.rate ?? ''} % : ${money(t.amount)}`);
    out.append(heading('Facture lue', 'Invoice read'), fields([
      ['Fournisseur · Supplier', inv.supplier], ['No TPS · GST number', inv.gst_number],
      ['No TVQ · QST number', inv.qst_number], ['No de facture · Invoice number', inv.invoice_number],
      ['Date', inv.date], ['Échéance · Due date', inv.due_date], ['Devise · Currency', inv.currency],
      ['Sous-total · Subtotal', money(inv.subtotal)], ['Taxes', taxes], ['Total', money(inv.total)],
      ['Pages', body.pages],
    ], 'fields'));
    const lines = inv.lines || [];
    if (lines.length > 0) {
      out.append(heading('Lignes', 'Lines'), fields(lines.map((l, i) =>
        [`${i + 1}. ${l.description}`, `${l.quantity ?? ''} × ${money(l.unit_price) ?? ''} = ${money(l.amount)}`]), 'lines'));
    }
    showWarnings(body.warnings);
    if (body.draft) {
      const d = body.draft;
      const box = el('div', null, 'found');
      box.dataset.testid = 'draft';
      box.append(el('strong', `${d.purchase_invoice}`), el('span', d.created
        ? ' — brouillon de facture d’achat créé · draft Purchase Invoice created'
        : ' — déjà dans ERPNext · already in ERPNext'));
      box.append(fields([['Fournisseur · Supplier', d.supplier], ['Trouvé par · Matched by', d.matched_by]], 'supplier'));
      out.append(heading('Brouillon', 'Draft'), box);
    }
  }

  function showEquipment(body) {
    const label = body.label || {};
    const codes = (label.barcodes || []).map((b) => `${b.format}: ${b.text}`);
    out.append(heading('Étiquette lue', 'Label read'), fields([
      ['No de série · Serial', label.serial], ['MAC', label.macs], ['Série GPON · GPON serial', label.gpon_serial],
      ['Modèle · Model', label.model], ['Codes-barres · Barcodes', codes],
    ], 'fields'));
    showWarnings(body.warnings);
    out.append(heading('Équipement', 'Equipment'));
    const eq = body.equipment;
    if (!eq) {
      out.append(el('p', 'Aucun équipement trouvé dans ERPNext · No Equipment found in ERPNext', 'muted'));
      return;
    }
    const loc = eq.service_location;
    const address = loc ? [loc.location_name, loc.address_line1, loc.city, loc.postal_code].filter(Boolean).join(', ') : null;
    const box = el('div', null, 'found');
    box.dataset.testid = 'equipment';
    box.append(fields([
      ['Équipement · Equipment', eq.name], ['Type', eq.equipment_type], ['Modèle · Model', eq.model],
      ['No de série · Serial', eq.serial_no], ['État · Status', eq.status],
      ['Client · Customer', [eq.customer, eq.customer_name].filter(Boolean).join(' — ')],
      ['Adresse · Address', address], ['Entrepôt · Warehouse', eq.warehouse],
      ['Trouvé par · Matched by', eq.matched_by],
    ], 'equipment-fields'));
    out.append(box);
  }

  function showProblem(status, body) {
    const box = el('div', null, 'problem');
    box.setAttribute('role', 'alert');
    box.dataset.testid = 'problem';
    box.append(el('strong', `${status} ${body.code || ''} — ${body.title || 'Erreur · Error'}`));
    box.append(el('p', body.detail || ''));
    out.append(box);
  }

  async function submit(event) {
    event.preventDefault();
    const file = document.getElementById('file').files[0];
    if (!file) return;
    const what = kind();
    const query = what === 'invoice' && draft.checked ? '?draft=true' : '';
    const data = new FormData();
    data.append('file', file);
    out.replaceChildren(el('p', 'Lecture… · Reading…', 'muted'));
    send.disabled = true;
    try {
      const key = await idempotencyKey(file, `${what}${query ? '-draft' : ''}`);
      const response = await fetch(`/vision/${what}${query}`, {
        method: 'POST', body: data, headers: { 'Idempotency-Key': key, Accept: 'application/json' },
      });
      const body = await response.json().catch(() => ({}));
      out.replaceChildren();
      if (!response.ok) return showProblem(response.status, body);
      showProvider(body.provider || {});
      if (what === 'invoice') showInvoice(body); else showEquipment(body);
    } catch (error) {
      out.replaceChildren();
      showProblem('—', { title: 'Réseau · Network', detail: String(error) });
    } finally {
      send.disabled = false;
    }
  }

  for (const radio of form.querySelectorAll('input[name="kind"]')) radio.addEventListener('change', showDraftChoice);
  form.addEventListener('submit', submit);
  showDraftChoice();
})();
