import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import { messages } from '../i18n/messages.js';

const LANG_KEY = 'gf.lang';
const LANGS = ['fr', 'en'];

// French unless this browser chose English with the switch: a Quebec service speaks French
// first (Charter of the French language), whatever the browser's own language.
function initialLang() {
  try {
    const stored = localStorage.getItem(LANG_KEY);
    if (LANGS.includes(stored)) return stored;
  } catch {
    // Storage can be blocked (privacy settings); French then.
  }
  return 'fr';
}

// French plural rule treats 0 and 1 as singular; English only 1.
function pluralIndex(lang, n) {
  return (lang === 'fr' ? n > 1 : n !== 1) ? 1 : 0;
}

/** The UI language (French by default), the switch persisted in localStorage, and the `t()` lookup. */
export const useLocaleStore = defineStore('locale', () => {
  const lang = ref(initialLang());

  function t(key, params = {}) {
    let text = messages[lang.value][key] ?? messages.fr[key] ?? key;
    if (Array.isArray(text)) text = text[pluralIndex(lang.value, Number(params.n))];
    return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ''));
  }

  function toggle() {
    lang.value = lang.value === 'fr' ? 'en' : 'fr';
    try {
      localStorage.setItem(LANG_KEY, lang.value);
    } catch {
      // Not persisted; the choice still holds for this page.
    }
  }

  watch(
    lang,
    () => {
      document.documentElement.lang = lang.value;
      document.title = t('app.title');
    },
    { immediate: true },
  );

  return { lang, t, toggle };
});
