/*
 * Connection Rituals card (custom:connection-rituals-card) and its visual editor.
 *
 * Served by the integration itself (no separate install, no build step): plain web
 * components, no imports. Data comes from the integration's websocket commands:
 *   connection_rituals/couples          the couples and their rituals (the editor)
 *   connection_rituals/subscribe_today  today's rituals, pushed whenever they change
 *   connection_rituals/history          one outcome code per ritual and day for a range
 * Outcome codes: c kept, s not today, m not marked, p paused, o no opportunity.
 * Marking and declining call the actions connection_rituals.complete / .skip with the
 * ritual's device id.
 *
 * Card options:
 *   entry_id  the couple (default: the first one)
 *   rituals   ritual ids to show (default, or empty: all of them)
 *   months    months of calendar, 1 to 26 (default 12)
 *   title     a title of your own (default: the couple's name)
 *
 * Theme: every colour is a theme variable, each with a card-level override:
 *   --connection-rituals-kept-color        (default --primary-color)
 *   --connection-rituals-not-today-color   (default --secondary-text-color)
 *   --connection-rituals-not-marked-color  (default --secondary-text-color)
 *   --connection-rituals-paused-color      (default --secondary-text-color)
 *   --connection-rituals-empty-color       (default --secondary-background-color)
 * Each state also has its own shape, so colour is never the only cue: kept is a filled
 * square, not today a dot, not marked an outlined square, paused diagonal stripes, no
 * opportunity an empty cell.
 */

const CARD_TYPE = "connection-rituals-card";
const EDITOR_TYPE = "connection-rituals-card-editor";
const DOMAIN = "connection_rituals";
const DEFAULT_MONTHS = 12;
const MAX_MONTHS = 26; // the history command answers at most 800 days at once
const MAX_DAYS = 800;
const DAY_MS = 86400000;

const CODE_STATE = {
  c: "kept",
  s: "not_today",
  m: "not_marked",
  p: "paused",
  o: "no_opportunity",
};
const LEGEND_ORDER = ["c", "s", "m", "p", "o"];
// The couple's day when its rituals differ (as the integration folds them).
const COUPLE_ORDER = ["c", "m", "s", "p"];

const KIND_ICONS = {
  reunion: "mdi:home-heart",
  departure: "mdi:hand-wave-outline",
  morning: "mdi:weather-sunset-up",
  bedtime: "mdi:weather-night",
  apart: "mdi:message-heart-outline",
  custom: "mdi:heart-outline",
};

const STRINGS = {
  en: {
    kept: "Kept",
    not_today: "Not today",
    not_marked: "Not marked",
    no_opportunity: "No opportunity",
    paused: "Paused",
    open_now: "Open now",
    today: "Today",
    streaks: "Streaks",
    connection_streak: "Connection streak",
    days_one: "{n} day",
    days_other: "{n} days",
    fresh_start: "Fresh start",
    best: "best {n}",
    done: "Done",
    mark: "Mark {name} as kept",
    decline: "Not today for {name}",
    nothing_today: "Nothing planned today. Enjoy the day.",
    nothing_on_day: "Nothing on this day.",
    kept_days: "Kept days",
    loading: "Loading…",
    getting_ready: "Getting ready…",
    calendar: "Calendar of the last {n} months",
    calendar_hint: "Arrow keys move between days, Enter shows a day.",
    legend: "Legend",
    vacation: "Vacation mode: the days are paused.",
    no_couples:
      "No couple is set up yet. Add Connection Rituals under Settings → Devices & services.",
    error: "The rituals could not be loaded:",
    close: "Close",
    couple: "Couple",
    rituals: "Rituals",
    all_rituals: "None ticked: all rituals.",
    months: "Months to show",
    title: "Title (optional)",
    card_description:
      "Your rituals together: a calendar of kept days, today's rituals and streaks.",
  },
  de: {
    kept: "Gelebt",
    not_today: "Heute nicht",
    not_marked: "Nicht markiert",
    no_opportunity: "Keine Gelegenheit",
    paused: "Pausiert",
    open_now: "Jetzt offen",
    today: "Heute",
    streaks: "Serien",
    connection_streak: "Verbundenheits-Serie",
    days_one: "{n} Tag",
    days_other: "{n} Tage",
    fresh_start: "Neuer Anfang",
    best: "beste {n}",
    done: "Gemacht",
    mark: "{name} als gelebt markieren",
    decline: "{name}: heute nicht",
    nothing_today: "Heute steht nichts an. Genießt den Tag.",
    nothing_on_day: "An diesem Tag stand nichts an.",
    kept_days: "Gelebte Tage",
    loading: "Wird geladen…",
    getting_ready: "Wird vorbereitet…",
    calendar: "Kalender der letzten {n} Monate",
    calendar_hint: "Mit den Pfeiltasten wechselst du den Tag, Enter zeigt ihn.",
    legend: "Legende",
    vacation: "Urlaubsmodus: Die Tage sind pausiert.",
    no_couples:
      "Noch ist kein Paar eingerichtet. Füge Connection Rituals unter Einstellungen → Geräte & Dienste hinzu.",
    error: "Die Rituale konnten nicht geladen werden:",
    close: "Schließen",
    couple: "Paar",
    rituals: "Rituale",
    all_rituals: "Nichts angehakt: alle Rituale.",
    months: "Angezeigte Monate",
    title: "Titel (optional)",
    card_description:
      "Eure gemeinsamen Rituale: ein Kalender der gelebten Tage, die Rituale von heute und eure Serien.",
  },
  fr: {
    kept: "Vécu",
    not_today: "Pas aujourd'hui",
    not_marked: "Non marqué",
    no_opportunity: "Pas d'occasion",
    paused: "En pause",
    open_now: "En cours",
    today: "Aujourd'hui",
    streaks: "Séries",
    connection_streak: "Série de complicité",
    days_one: "{n} jour",
    days_other: "{n} jours",
    fresh_start: "Nouveau départ",
    best: "meilleure : {n}",
    done: "Fait",
    mark: "Marquer {name} comme vécu",
    decline: "{name} : pas aujourd'hui",
    nothing_today: "Rien de prévu aujourd'hui. Belle journée à vous deux.",
    nothing_on_day: "Rien de prévu ce jour-là.",
    kept_days: "Jours vécus",
    loading: "Chargement…",
    getting_ready: "Préparation…",
    calendar: "Calendrier des {n} derniers mois",
    calendar_hint: "Les flèches changent de jour, Entrée l'affiche.",
    legend: "Légende",
    vacation: "Mode vacances : les jours sont en pause.",
    no_couples:
      "Aucun couple n'est encore configuré. Ajoute Connection Rituals dans Paramètres → Appareils et services.",
    error: "Impossible de charger les rituels :",
    close: "Fermer",
    couple: "Couple",
    rituals: "Rituels",
    all_rituals: "Rien de coché : tous les rituels.",
    months: "Mois affichés",
    title: "Titre (facultatif)",
    card_description:
      "Vos rituels à deux : un calendrier des jours vécus, les rituels du jour et vos séries.",
  },
  es: {
    kept: "Vivido",
    not_today: "Hoy no",
    not_marked: "Sin marcar",
    no_opportunity: "Sin ocasión",
    paused: "En pausa",
    open_now: "Abierto ahora",
    today: "Hoy",
    streaks: "Rachas",
    connection_streak: "Racha de conexión",
    days_one: "{n} día",
    days_other: "{n} días",
    fresh_start: "Nuevo comienzo",
    best: "mejor: {n}",
    done: "Hecho",
    mark: "Marcar {name} como vivido",
    decline: "{name}: hoy no",
    nothing_today: "Nada previsto para hoy. Que sea un buen día.",
    nothing_on_day: "Nada previsto ese día.",
    kept_days: "Días vividos",
    loading: "Cargando…",
    getting_ready: "Preparando…",
    calendar: "Calendario de los últimos {n} meses",
    calendar_hint: "Las flechas cambian de día; Intro lo muestra.",
    legend: "Leyenda",
    vacation: "Modo vacaciones: los días están en pausa.",
    no_couples:
      "Todavía no hay ninguna pareja configurada. Añade Connection Rituals en Ajustes → Dispositivos y servicios.",
    error: "No se pudieron cargar los rituales:",
    close: "Cerrar",
    couple: "Pareja",
    rituals: "Rituales",
    all_rituals: "Nada marcado: todos los rituales.",
    months: "Meses que mostrar",
    title: "Título (opcional)",
    card_description:
      "Vuestros rituales en pareja: un calendario de los días vividos, los rituales de hoy y las rachas.",
  },
  nl: {
    kept: "Gedaan",
    not_today: "Vandaag niet",
    not_marked: "Niet gemarkeerd",
    no_opportunity: "Geen gelegenheid",
    paused: "Gepauzeerd",
    open_now: "Nu open",
    today: "Vandaag",
    streaks: "Reeksen",
    connection_streak: "Verbindingsreeks",
    days_one: "{n} dag",
    days_other: "{n} dagen",
    fresh_start: "Nieuw begin",
    best: "langste {n}",
    done: "Gedaan",
    mark: "{name} markeren als gedaan",
    decline: "{name}: vandaag niet",
    nothing_today: "Vandaag staat er niets gepland. Geniet van de dag.",
    nothing_on_day: "Niets gepland op deze dag.",
    kept_days: "Gedane dagen",
    loading: "Laden…",
    getting_ready: "Even voorbereiden…",
    calendar: "Kalender van de afgelopen {n} maanden",
    calendar_hint: "Met de pijltjestoetsen kies je een dag, Enter toont hem.",
    legend: "Legenda",
    vacation: "Vakantiemodus: de dagen zijn gepauzeerd.",
    no_couples:
      "Er is nog geen stel ingesteld. Voeg Connection Rituals toe via Instellingen → Apparaten en diensten.",
    error: "De rituelen konden niet worden geladen:",
    close: "Sluiten",
    couple: "Stel",
    rituals: "Rituelen",
    all_rituals: "Niets aangevinkt: alle rituelen.",
    months: "Aantal maanden",
    title: "Titel (optioneel)",
    card_description:
      "Jullie rituelen samen: een kalender van gedane dagen, de rituelen van vandaag en jullie reeksen.",
  },
};

// ------------------------------------------------------------------ helpers

function language(hass) {
  const lang = (hass && ((hass.locale && hass.locale.language) || hass.language)) || "en";
  return String(lang);
}

function translate(lang, key, vars) {
  const base = lang.split("-")[0].toLowerCase();
  const table = STRINGS[base] || STRINGS.en;
  let text = table[key] !== undefined ? table[key] : STRINGS.en[key];
  if (text === undefined) return key;
  for (const [name, value] of Object.entries(vars || {})) {
    text = text.split(`{${name}}`).join(String(value));
  }
  return text;
}

function escapeHtml(value) {
  return String(value === null || value === undefined ? "" : value).replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch],
  );
}

// Ritual days are plain dates: kept as UTC midnights, so no clock change moves them.
function parseIso(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  return Date.UTC(y, m - 1, d);
}

function isoOf(ms) {
  return new Date(ms).toISOString().slice(0, 10);
}

function weekdayIndex(ms) {
  return (new Date(ms).getUTCDay() + 6) % 7; // Monday first, as ISO weeks
}

function rangeStart(todayIso, months) {
  const today = parseIso(todayIso);
  const d = new Date(today);
  const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - months, d.getUTCDate()) + DAY_MS;
  return Math.max(start, today - (MAX_DAYS - 1) * DAY_MS);
}

function clampMonths(value) {
  const months = Math.round(Number(value));
  if (!Number.isFinite(months)) return DEFAULT_MONTHS;
  return Math.min(MAX_MONTHS, Math.max(1, months));
}

function coupleCode(codes) {
  for (const code of COUPLE_ORDER) if (codes.includes(code)) return code;
  return "o";
}

// A state's mark inside a 12 x 12 cell at (x, y): its shape tells it apart without colour.
function cellMark(code, x, y) {
  switch (code) {
    case "c":
      return `<rect class="mark kept" x="${x}" y="${y}" width="12" height="12" rx="2"></rect>`;
    case "s":
      return `<circle class="mark not-today" cx="${x + 6}" cy="${y + 6}" r="2.75"></circle>`;
    case "m":
      return `<rect class="mark not-marked" x="${x + 1}" y="${y + 1}" width="10" height="10" rx="1.5"></rect>`;
    case "p":
      return `<path class="mark paused" d="M${x} ${y + 6}L${x + 6} ${y}M${x} ${y + 12}L${x + 12} ${y}M${x + 6} ${y + 12}L${x + 12} ${y + 6}"></path>`;
    default:
      return "";
  }
}

function swatch(code) {
  return `<svg class="swatch" viewBox="-1 -1 14 14" width="14" height="14" aria-hidden="true" focusable="false"><rect class="base" x="0" y="0" width="12" height="12" rx="2"></rect>${cellMark(code, 0, 0)}</svg>`;
}

const STYLE = `
  :host {
    display: block;
    --cr-kept: var(--connection-rituals-kept-color, var(--primary-color, #03a9f4));
    --cr-not-today: var(--connection-rituals-not-today-color, var(--secondary-text-color, #727272));
    --cr-not-marked: var(--connection-rituals-not-marked-color, var(--secondary-text-color, #727272));
    --cr-paused: var(--connection-rituals-paused-color, var(--secondary-text-color, #727272));
    --cr-empty: var(--connection-rituals-empty-color, var(--secondary-background-color, rgba(127, 127, 127, 0.15)));
  }
  ha-card { padding: 16px; color: var(--primary-text-color); }
  .header { display: flex; align-items: baseline; justify-content: space-between; gap: 8px; flex-wrap: wrap; }
  .title { font-size: var(--ha-card-header-font-size, 1.25rem); font-weight: 500; margin: 0; }
  .figure { color: var(--secondary-text-color); }
  .figure strong { color: var(--primary-text-color); font-weight: 500; }
  .note { color: var(--secondary-text-color); margin: 8px 0 0; }
  .error { color: var(--error-color, #db4437); margin: 8px 0 0; }
  h3 { font-size: 1rem; font-weight: 500; margin: 16px 0 8px; }
  ul { list-style: none; margin: 0; padding: 0; }
  .ritual { display: flex; align-items: center; gap: 12px; padding: 6px 0; }
  .ritual ha-icon { color: var(--state-icon-color, var(--secondary-text-color)); flex: none; }
  .ritual .text { flex: 1; min-width: 0; }
  .ritual .name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .ritual .status { color: var(--secondary-text-color); font-size: 0.875rem; display: flex; align-items: center; gap: 6px; }
  .actions { display: flex; gap: 8px; flex: none; }
  button.action {
    font: inherit; font-size: 0.875rem; border-radius: 18px; padding: 6px 14px; cursor: pointer;
    border: 1px solid var(--primary-color); min-height: 36px;
  }
  button.action.done { background: var(--primary-color); color: var(--text-primary-color, #fff); }
  button.action.decline { background: transparent; color: var(--primary-color); }
  button.action:disabled { opacity: 0.5; cursor: default; }
  button.action:focus-visible, button.close:focus-visible { outline: 2px solid var(--primary-text-color); outline-offset: 2px; }
  .calendar-row { display: flex; align-items: flex-start; }
  .calendar-row .weekdays { flex: none; }
  .calendar { overflow-x: auto; overflow-y: hidden; padding: 2px 0 4px; min-width: 0; flex: 1; }
  .calendar svg.grid { display: block; }
  .grid text { fill: var(--secondary-text-color); font-size: 9px; font-family: inherit; }
  .base { fill: var(--cr-empty); }
  .kept { fill: var(--cr-kept); }
  .not-today { fill: var(--cr-not-today); }
  .not-marked { fill: none; stroke: var(--cr-not-marked); stroke-width: 1.5; }
  .paused { fill: none; stroke: var(--cr-paused); stroke-width: 1.4; }
  .cell { cursor: pointer; outline: none; }
  .ring { fill: none; stroke: none; pointer-events: none; }
  .cell.is-today .ring { stroke: var(--secondary-text-color); stroke-width: 1; stroke-dasharray: 2 1.5; }
  .cell.is-selected .ring { stroke: var(--primary-text-color); stroke-width: 2; stroke-dasharray: none; }
  .cell:focus-visible .ring { stroke: var(--primary-text-color); stroke-width: 2; stroke-dasharray: none; }
  .legend { display: flex; flex-wrap: wrap; gap: 4px 16px; margin-top: 8px; font-size: 0.875rem; color: var(--secondary-text-color); }
  .legend li { display: flex; align-items: center; gap: 6px; }
  .swatch { flex: none; }
  .day { margin-top: 12px; padding: 12px; border-radius: var(--ha-card-border-radius, 12px); background: var(--secondary-background-color, rgba(127, 127, 127, 0.1)); }
  .day .day-head { display: flex; justify-content: space-between; align-items: center; gap: 8px; }
  .day .day-title { font-weight: 500; }
  .day li { display: flex; align-items: center; gap: 8px; padding: 3px 0; }
  button.close { font: inherit; background: none; border: none; color: var(--primary-color); cursor: pointer; padding: 4px 8px; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  @media (forced-colors: active) {
    .base { fill: Canvas; stroke: GrayText; stroke-width: 0.5; }
    .kept, .not-today { fill: CanvasText; }
    .not-marked, .paused { stroke: CanvasText; }
    .cell:focus-visible .ring, .cell.is-selected .ring { stroke: Highlight; }
  }
`;

// ------------------------------------------------------------------- card

// A class made when the card is defined (see `register` below), on the HTMLElement of
// that moment.
const makeCard = (Base) =>
  class ConnectionRitualsCard extends Base {
  static getConfigElement() {
    return document.createElement(EDITOR_TYPE);
  }

  static async getStubConfig(hass) {
    try {
      const { couples } = await hass.callWS({ type: `${DOMAIN}/couples` });
      if (couples && couples.length) return { entry_id: couples[0].entry_id, months: DEFAULT_MONTHS };
    } catch (err) {
      // No couple to offer: the card explains itself once added.
    }
    return { months: DEFAULT_MONTHS };
  }

  constructor() {
    super();
    this._config = null;
    this._hass = null;
    this._generation = 0;
    this._unsub = null;
    this._connecting = false;
    this._entryId = null;
    this._today = null; // the last pushed "today"
    this._history = null; // the last history answer
    this._historyRequest = 0;
    this._selected = null; // the day shown below the calendar
    this._focusDay = null; // the calendar's roving focus
    this._pending = new Set(); // ritual ids with an action on its way
    this._message = null; // an error to show
    this._built = false;
    this._renderTimes = { first: null, last: null, days: 0 };
    this._stale = false; // shown data from before the card was moved on the page
  }

  setConfig(config) {
    if (!config || typeof config !== "object") throw new Error("Invalid configuration");
    if (config.rituals !== undefined && !Array.isArray(config.rituals)) {
      throw new Error("rituals must be a list of ritual ids");
    }
    const previous = this._config;
    this._config = {
      ...config,
      months: clampMonths(config.months === undefined ? DEFAULT_MONTHS : config.months),
      rituals: (config.rituals || []).map(String),
    };
    const sameCouple = previous && previous.entry_id === this._config.entry_id;
    if (!sameCouple) {
      this._disconnect();
      this._connect();
    } else if (
      previous.months !== this._config.months ||
      previous.rituals.join(",") !== this._config.rituals.join(",")
    ) {
      this._fetchHistory();
    }
    this._render();
  }

  set hass(hass) {
    const first = !this._hass;
    this._hass = hass;
    if (first) {
      this._connect();
      this._render();
    }
  }

  get hass() {
    return this._hass;
  }

  connectedCallback() {
    this._connect();
  }

  disconnectedCallback() {
    // Moved on the page (a dashboard's layout does): what it shows stays until it is back.
    this._disconnect(false);
  }

  getCardSize() {
    const today = this._visibleToday().length;
    return 4 + Math.ceil(today / 2);
  }

  getGridOptions() {
    return { columns: 12, min_columns: 6 };
  }

  _t(key, vars) {
    return translate(language(this._hass), key, vars);
  }

  _days(n) {
    return this._t(n === 1 ? "days_one" : "days_other", { n });
  }

  _streakText(n) {
    return n ? this._days(n) : this._t("fresh_start");
  }

  // ---------------------------------------------------------- data flow

  async _connect() {
    if (this._unsub || this._connecting || !this._hass || !this._config || !this.isConnected) {
      return;
    }
    const generation = ++this._generation;
    this._connecting = true;
    try {
      let entryId = this._config.entry_id;
      if (!entryId) {
        const { couples } = await this._hass.callWS({ type: `${DOMAIN}/couples` });
        if (generation !== this._generation) return;
        if (!couples.length) {
          this._message = this._t("no_couples");
          this._render();
          return;
        }
        entryId = couples[0].entry_id;
      }
      this._entryId = entryId;
      const unsub = await this._hass.connection.subscribeMessage(
        (event) => {
          if (generation === this._generation) this._onToday(event);
        },
        { type: `${DOMAIN}/subscribe_today`, entry_id: entryId },
      );
      if (generation !== this._generation || !this.isConnected) {
        unsub();
        return;
      }
      this._unsub = unsub;
      this._message = null;
    } catch (err) {
      if (generation === this._generation) {
        this._message = `${this._t("error")} ${(err && err.message) || err}`;
        this._render();
      }
    } finally {
      if (generation === this._generation) this._connecting = false;
    }
  }

  _disconnect(forget = true) {
    this._generation++;
    this._connecting = false;
    if (this._unsub) {
      try {
        this._unsub();
      } catch (err) {
        // Already gone with the connection.
      }
      this._unsub = null;
    }
    if (!forget) {
      this._stale = true; // asked again once back, shown meanwhile
      return;
    }
    this._today = null;
    this._history = null;
    this._selected = null;
  }

  _onToday(event) {
    const previous = this._today;
    this._today = event;
    this._pending.clear();
    if (!event.loaded) {
      this._render();
      return;
    }
    const ids = event.rituals.map((r) => r.id).join(",");
    const previousIds = previous && previous.loaded ? previous.rituals.map((r) => r.id).join(",") : null;
    const stale = this._stale;
    this._stale = false;
    if (
      stale ||
      !this._history ||
      !previous ||
      !previous.loaded ||
      previous.today !== event.today ||
      previousIds !== ids ||
      previous.pressure_free !== event.pressure_free
    ) {
      this._fetchHistory();
    } else {
      this._patchToday(event);
    }
    this._render();
  }

  async _fetchHistory() {
    if (!this._hass || !this._today || !this._today.loaded || !this._entryId) return;
    const request = ++this._historyRequest;
    const today = this._today.today;
    const params = {
      type: `${DOMAIN}/history`,
      entry_id: this._entryId,
      start: isoOf(rangeStart(today, this._config.months)),
      end: today,
    };
    if (this._config.rituals.length) params.ritual_ids = this._config.rituals;
    try {
      const result = await this._hass.callWS(params);
      if (request !== this._historyRequest) return;
      this._history = result;
      this._message = null;
      if (!this._focusDay || this._focusDay < result.start || this._focusDay > result.end) {
        this._focusDay = result.end;
      }
      if (this._selected && (this._selected < result.start || this._selected > result.end)) {
        this._selected = null;
      }
      this._patchToday(this._today);
    } catch (err) {
      if (request !== this._historyRequest) return;
      this._message = `${this._t("error")} ${(err && err.message) || err}`;
    }
    this._render();
  }

  // Today's cell follows the pushes, without asking for the whole range again.
  _patchToday(event) {
    const history = this._history;
    if (!history || !event || !event.loaded || history.end !== event.today) return;
    const byId = new Map(event.rituals.map((r) => [r.id, r]));
    let codes = history.rituals
      .map((r) => (byId.has(r.id) ? byId.get(r.id).outcome : "o"))
      .join("");
    if (history.pressure_free) codes = codes.replace(/[^c]/g, "o");
    const day = event.today;
    if (/^o*$/.test(codes)) {
      delete history.days[day];
      delete history.couple[day];
    } else {
      history.days[day] = codes;
      history.couple[day] = coupleCode(codes);
    }
    for (const ritual of history.rituals) {
      const live = byId.get(ritual.id);
      if (live) Object.assign(ritual, { streak: live.streak, best: live.best, name: live.name });
    }
    history.connection_streak = event.connection_streak;
  }

  _shownIds() {
    return this._config && this._config.rituals.length ? new Set(this._config.rituals) : null;
  }

  _visibleToday() {
    const today = this._today;
    if (!today || !today.loaded) return [];
    const shown = this._shownIds();
    return today.rituals.filter(
      (r) =>
        (!shown || shown.has(r.id)) &&
        (r.scheduled || r.active || r.outcome === "c" || r.outcome === "s" || r.outcome === "p"),
    );
  }

  async _act(ritual, service) {
    if (!ritual.device_id || this._pending.has(ritual.id)) return;
    this._pending.add(ritual.id);
    this._renderToday();
    try {
      await this._hass.callService(DOMAIN, service, { ritual: ritual.device_id });
      this._message = null;
    } catch (err) {
      this._pending.delete(ritual.id);
      this._message = (err && err.message) || String(err);
      this._render();
    }
  }

  // ---------------------------------------------------------- rendering

  _build() {
    if (this._built) return;
    const root = this.shadowRoot || this.attachShadow({ mode: "open" });
    root.innerHTML = `
      <style>${STYLE}</style>
      <ha-card>
        <div class="header"></div>
        <p class="message" hidden></p>
        <section class="today-section"></section>
        <section class="calendar-section"></section>
      </ha-card>`;
    this._els = {
      header: root.querySelector(".header"),
      message: root.querySelector(".message"),
      today: root.querySelector(".today-section"),
      calendar: root.querySelector(".calendar-section"),
    };
    this._els.today.addEventListener("click", (ev) => {
      const button = ev.target.closest("button[data-service]");
      if (!button || !this._today || !this._today.rituals) return;
      const ritual = this._today.rituals.find((r) => r.id === button.dataset.ritual);
      if (ritual) this._act(ritual, button.dataset.service);
    });
    this._els.calendar.addEventListener("click", (ev) => {
      if (ev.target.closest("button.close")) {
        this._select(null);
        return;
      }
      const cell = ev.target.closest(".cell");
      if (cell) this._select(cell.dataset.day, true);
    });
    this._els.calendar.addEventListener("keydown", (ev) => this._onKey(ev));
    this._built = true;
  }

  _render() {
    if (!this._config) return;
    this._build();
    this._renderHeader();
    this._renderMessage();
    this._renderToday();
    this._renderCalendar();
  }

  _renderHeader() {
    const today = this._today && this._today.loaded ? this._today : null;
    const title = this._config.title || (today && today.title) || "Connection Rituals";
    let figure = "";
    if (today && !today.pressure_free && today.connection_streak !== null) {
      figure = `<span class="figure">${escapeHtml(this._t("connection_streak"))}: <strong>${escapeHtml(
        this._streakText(today.connection_streak),
      )}</strong></span>`;
    }
    this._els.header.innerHTML = `<h2 class="title">${escapeHtml(title)}</h2>${figure}`;
  }

  _renderMessage() {
    const el = this._els.message;
    let text = this._message;
    let cls = "error";
    if (!text && !this._today) {
      text = this._t("loading");
      cls = "note";
    } else if (!text && !this._today.loaded) {
      text = this._t("getting_ready");
      cls = "note";
    } else if (!text && this._today.vacation) {
      text = this._t("vacation");
      cls = "note";
    }
    el.hidden = !text;
    el.className = `message ${cls}`;
    el.setAttribute("role", cls === "error" ? "alert" : "status");
    el.textContent = text || "";
  }

  _statusText(ritual, pressureFree) {
    if (ritual.active) return this._t("open_now");
    const state = CODE_STATE[ritual.outcome];
    if (!state || state === "no_opportunity") return "";
    if (pressureFree && state === "not_marked") return "";
    return this._t(state);
  }

  _renderToday() {
    const el = this._els.today;
    const today = this._today;
    if (!today || !today.loaded) {
      el.innerHTML = "";
      return;
    }
    const rituals = this._visibleToday();
    const pressureFree = today.pressure_free;
    const rows = rituals.map((ritual) => {
      const status = this._statusText(ritual, pressureFree);
      const code = ritual.active ? "" : ritual.outcome;
      const mark = code && code !== "o" ? swatch(code) : "";
      const streak =
        !pressureFree && ritual.streak !== null && ritual.streak !== undefined
          ? `<span class="streak">${escapeHtml(this._streakText(ritual.streak))}</span>`
          : "";
      const canAct = ritual.device_id && !today.vacation && ritual.outcome !== "c" && ritual.outcome !== "p";
      const busy = this._pending.has(ritual.id) ? " disabled" : "";
      const name = escapeHtml(ritual.name);
      let actions = "";
      if (canAct) {
        actions = `<div class="actions">
          <button class="action done" data-service="complete" data-ritual="${escapeHtml(ritual.id)}"
            aria-label="${escapeHtml(this._t("mark", { name: ritual.name }))}"${busy}>${escapeHtml(this._t("done"))}</button>
          ${
            ritual.outcome === "s"
              ? ""
              : `<button class="action decline" data-service="skip" data-ritual="${escapeHtml(ritual.id)}"
            aria-label="${escapeHtml(this._t("decline", { name: ritual.name }))}"${busy}>${escapeHtml(this._t("not_today"))}</button>`
          }
        </div>`;
      }
      const details = [status ? `${mark}<span>${escapeHtml(status)}</span>` : "", streak]
        .filter(Boolean)
        .join(streak && status ? "<span aria-hidden=\"true\">·</span>" : "");
      return `<li class="ritual">
        <ha-icon icon="${KIND_ICONS[ritual.kind] || KIND_ICONS.custom}" aria-hidden="true"></ha-icon>
        <div class="text"><div class="name">${name}</div><div class="status">${details}</div></div>
        ${actions}
      </li>`;
    });
    const list = rows.length
      ? `<ul class="today-list">${rows.join("")}</ul>`
      : `<p class="note">${escapeHtml(this._t("nothing_today"))}</p>`;
    el.innerHTML = `<h3>${escapeHtml(this._t("today"))}</h3>${list}${this._streaksHtml()}`;
  }

  // Each shown ritual's streak (not in pressure-free mode: no figures there).
  _streaksHtml() {
    const today = this._today;
    if (!today || !today.loaded || today.pressure_free) return "";
    const shown = this._shownIds();
    const rituals = today.rituals.filter((r) => !shown || shown.has(r.id));
    if (!rituals.length) return "";
    const rows = rituals.map((r) => {
      const best = r.best && r.best > r.streak ? ` · ${escapeHtml(this._t("best", { n: r.best }))}` : "";
      return `<li class="ritual"><ha-icon icon="${KIND_ICONS[r.kind] || KIND_ICONS.custom}" aria-hidden="true"></ha-icon>
        <div class="text"><div class="name">${escapeHtml(r.name)}</div>
        <div class="status">${escapeHtml(this._streakText(r.streak))}${best}</div></div></li>`;
    });
    return `<h3>${escapeHtml(this._t("streaks"))}</h3><ul class="streak-list">${rows.join("")}</ul>`;
  }

  // The calendar's render time, in milliseconds: `renderTimes.first` (its first full
  // render, with the history) and `renderTimes.last`; also a performance measure named
  // "connection-rituals-card:calendar" each time.
  get renderTimes() {
    return { ...this._renderTimes };
  }

  _renderCalendar() {
    const el = this._els.calendar;
    const history = this._history;
    if (!history) {
      el.innerHTML = "";
      return;
    }
    const started = performance.now();
    this._drawCalendar(el, history);
    const took = performance.now() - started;
    this._renderTimes.last = took;
    if (this._renderTimes.first === null) this._renderTimes.first = took;
    this._renderTimes.days = (parseIso(history.end) - parseIso(history.start)) / DAY_MS + 1;
    try {
      performance.measure("connection-rituals-card:calendar", { start: started, duration: took });
    } catch (err) {
      // Older browsers: no measure with options; the property still tells.
    }
  }

  _drawCalendar(el, history) {
    const hadFocus = this.shadowRoot.activeElement && this.shadowRoot.activeElement.classList.contains("cell");
    const scroller = el.querySelector(".calendar");
    const scrollLeft = scroller ? scroller.scrollLeft : null;
    const lang = language(this._hass);
    const pressureFree = history.pressure_free;
    const startMs = parseIso(history.start);
    const endMs = parseIso(history.end);
    const gridStart = startMs - weekdayIndex(startMs) * DAY_MS;
    const columns = Math.floor((endMs - gridStart) / DAY_MS / 7) + 1;
    const left = 1;
    const top = 14;
    const step = 15;
    const width = left + columns * step + 1;
    const height = top + 7 * step;
    const longDate = new Intl.DateTimeFormat(lang, {
      weekday: "long",
      day: "numeric",
      month: "long",
      year: "numeric",
      timeZone: "UTC",
    });
    const monthName = new Intl.DateTimeFormat(lang, { month: "short", timeZone: "UTC" });
    const weekdayName = new Intl.DateTimeFormat(lang, { weekday: "short", timeZone: "UTC" });
    const parts = [];
    // Weekday labels, outside the scrolling grid: Monday, Wednesday, Friday (1 January
    // 2024 was a Monday).
    const weekdays = [0, 2, 4]
      .map(
        (row) =>
          `<text x="0" y="${top + row * step + 9.5}">${escapeHtml(
            weekdayName.format(Date.UTC(2024, 0, 1 + row)),
          )}</text>`,
      )
      .join("");
    // Month labels over the week holding each month's first day (and the first week); a
    // label too close to the next one gives way to it.
    const labels = [];
    for (let column = 0; column < columns; column++) {
      const weekStart = gridStart + column * 7 * DAY_MS;
      for (let offset = 0; offset < 7; offset++) {
        const ms = weekStart + offset * DAY_MS;
        if (ms < startMs || ms > endMs) continue;
        if (new Date(ms).getUTCDate() === 1 || (column === 0 && !labels.length)) {
          labels.push({ column, ms });
          break;
        }
      }
    }
    labels.forEach((label, index) => {
      const next = labels[index + 1];
      if (next && next.column - label.column < 3) return;
      parts.push(
        `<text x="${left + label.column * step}" y="9" aria-hidden="true">${escapeHtml(
          monthName.format(label.ms),
        )}</text>`,
      );
    });
    const focusDay = this._focusDay || history.end;
    for (let ms = startMs; ms <= endMs; ms += DAY_MS) {
      const iso = isoOf(ms);
      const column = Math.floor((ms - gridStart) / DAY_MS / 7);
      const x = left + column * step;
      const y = top + weekdayIndex(ms) * step;
      const code = history.couple[iso] || "o";
      const label = `${longDate.format(ms)}: ${this._t(CODE_STATE[code])}`;
      const classes = ["cell"];
      if (iso === history.today) classes.push("is-today");
      if (iso === this._selected) classes.push("is-selected");
      parts.push(
        `<g class="${classes.join(" ")}" data-day="${iso}" role="button" tabindex="${
          iso === focusDay ? 0 : -1
        }" aria-label="${escapeHtml(label)}"${iso === this._selected ? ' aria-pressed="true"' : ""}>` +
          `<title>${escapeHtml(label)}</title>` +
          `<rect class="base" x="${x}" y="${y}" width="12" height="12" rx="2"></rect>` +
          cellMark(code, x, y) +
          `<rect class="ring" x="${x - 1.5}" y="${y - 1.5}" width="15" height="15" rx="3"></rect></g>`,
      );
    }
    const months = this._config.months;
    const codes = pressureFree ? ["c"] : LEGEND_ORDER;
    const legend = codes
      .map((code) => `<li>${swatch(code)}<span>${escapeHtml(this._t(CODE_STATE[code]))}</span></li>`)
      .join("");
    el.innerHTML = `
      <h3 id="calendar-title">${escapeHtml(pressureFree ? this._t("kept_days") : this._t("calendar", { n: months }))}</h3>
      <p class="sr-only" id="calendar-hint">${escapeHtml(this._t("calendar_hint"))}</p>
      <div class="calendar-row">
        <svg class="grid weekdays" width="30" height="${height}" viewBox="0 0 30 ${height}"
          aria-hidden="true" focusable="false">${weekdays}</svg>
        <div class="calendar">
          <svg class="grid" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"
            role="group" aria-labelledby="calendar-title" aria-describedby="calendar-hint">${parts.join("")}</svg>
        </div>
      </div>
      <ul class="legend" aria-label="${escapeHtml(this._t("legend"))}">${legend}</ul>
      ${this._dayHtml(longDate)}`;
    const newScroller = el.querySelector(".calendar");
    if (scrollLeft === null) {
      newScroller.scrollLeft = newScroller.scrollWidth; // the latest days first
    } else {
      newScroller.scrollLeft = scrollLeft;
    }
    if (hadFocus) {
      const cell = el.querySelector(`.cell[data-day="${focusDay}"]`);
      if (cell) cell.focus();
    }
  }

  _dayHtml(longDate) {
    const history = this._history;
    const day = this._selected;
    if (!history || !day) return "";
    const codes = history.days[day] || "";
    const items = [];
    history.rituals.forEach((ritual, index) => {
      const code = codes[index] || "o";
      if (history.pressure_free && code !== "c") return;
      if (code === "o") return;
      items.push(
        `<li>${swatch(code)}<span>${escapeHtml(ritual.name)}: ${escapeHtml(this._t(CODE_STATE[code]))}</span></li>`,
      );
    });
    const body = items.length
      ? `<ul>${items.join("")}</ul>`
      : `<p class="note">${escapeHtml(this._t("nothing_on_day"))}</p>`;
    return `<div class="day" role="region" aria-live="polite" aria-label="${escapeHtml(
      longDate.format(parseIso(day)),
    )}">
      <div class="day-head"><span class="day-title">${escapeHtml(longDate.format(parseIso(day)))}</span>
      <button class="close" aria-label="${escapeHtml(this._t("close"))}">✕</button></div>${body}</div>`;
  }

  _select(day, focus) {
    this._selected = day && day !== this._selected ? day : null;
    if (day) this._focusDay = day;
    this._renderCalendar();
    if (focus && day) {
      const cell = this._els.calendar.querySelector(`.cell[data-day="${day}"]`);
      if (cell) cell.focus();
    }
  }

  _onKey(ev) {
    const cell = ev.target.closest && ev.target.closest(".cell");
    if (!cell || !this._history) return;
    const moves = { ArrowLeft: -7, ArrowRight: 7, ArrowUp: -1, ArrowDown: 1 };
    const history = this._history;
    let target = null;
    if (ev.key in moves) {
      target = parseIso(cell.dataset.day) + moves[ev.key] * DAY_MS;
    } else if (ev.key === "Home") {
      target = parseIso(history.start);
    } else if (ev.key === "End") {
      target = parseIso(history.end);
    } else if (ev.key === "Enter" || ev.key === " ") {
      ev.preventDefault();
      this._select(cell.dataset.day, true);
      return;
    } else if (ev.key === "Escape" && this._selected) {
      this._select(null);
      return;
    } else {
      return;
    }
    ev.preventDefault();
    target = Math.min(parseIso(history.end), Math.max(parseIso(history.start), target));
    const iso = isoOf(target);
    const calendar = this._els.calendar;
    calendar.querySelectorAll('.cell[tabindex="0"]').forEach((el) => el.setAttribute("tabindex", "-1"));
    const next = calendar.querySelector(`.cell[data-day="${iso}"]`);
    if (next) {
      next.setAttribute("tabindex", "0");
      next.focus();
      this._focusDay = iso;
    }
  }
};

// ----------------------------------------------------------------- editor

const makeEditor = (Base) =>
  class ConnectionRitualsCardEditor extends Base {
  constructor() {
    super();
    this._config = {};
    this._hass = null;
    this._couples = null;
    this._error = null;
    this._loading = false;
  }

  setConfig(config) {
    this._config = { ...config };
    this._render();
  }

  set hass(hass) {
    this._hass = hass;
    if (!this._couples && !this._loading) this._load();
  }

  _t(key, vars) {
    return translate(language(this._hass), key, vars);
  }

  async _load() {
    this._loading = true;
    try {
      const { couples } = await this._hass.callWS({ type: `${DOMAIN}/couples` });
      this._couples = couples;
      this._error = null;
    } catch (err) {
      this._error = (err && err.message) || String(err);
    }
    this._loading = false;
    this._render();
  }

  _emit(config) {
    this._config = config;
    this.dispatchEvent(
      new CustomEvent("config-changed", { detail: { config }, bubbles: true, composed: true }),
    );
  }

  _currentCouple() {
    if (!this._couples || !this._couples.length) return null;
    return this._couples.find((c) => c.entry_id === this._config.entry_id) || this._couples[0];
  }

  _render() {
    const root = this.shadowRoot || this.attachShadow({ mode: "open" });
    const couples = this._couples;
    const couple = this._currentCouple();
    const chosen = new Set((this._config.rituals || []).map(String));
    let body;
    if (this._error) {
      body = `<p class="error">${escapeHtml(this._t("error"))} ${escapeHtml(this._error)}</p>`;
    } else if (!couples) {
      body = `<p class="note">${escapeHtml(this._t("loading"))}</p>`;
    } else if (!couples.length) {
      body = `<p class="note">${escapeHtml(this._t("no_couples"))}</p>`;
    } else {
      const options = couples
        .map(
          (c) =>
            `<option value="${escapeHtml(c.entry_id)}"${
              couple && c.entry_id === couple.entry_id ? " selected" : ""
            }>${escapeHtml(c.title)}</option>`,
        )
        .join("");
      const rituals = (couple ? couple.rituals : [])
        .map(
          (r) => `<label class="check"><input type="checkbox" value="${escapeHtml(r.id)}"${
            chosen.has(r.id) ? " checked" : ""
          }><span>${escapeHtml(r.name)}</span></label>`,
        )
        .join("");
      body = `
        <label class="field"><span>${escapeHtml(this._t("couple"))}</span>
          <select id="couple">${options}</select></label>
        <fieldset><legend>${escapeHtml(this._t("rituals"))}</legend>${rituals}
          <p class="hint">${escapeHtml(this._t("all_rituals"))}</p></fieldset>
        <label class="field"><span>${escapeHtml(this._t("months"))}</span>
          <input id="months" type="number" min="1" max="${MAX_MONTHS}" step="1"
            value="${escapeHtml(clampMonths(this._config.months === undefined ? DEFAULT_MONTHS : this._config.months))}"></label>
        <label class="field"><span>${escapeHtml(this._t("title"))}</span>
          <input id="title" type="text" value="${escapeHtml(this._config.title || "")}"></label>`;
    }
    root.innerHTML = `<style>
        :host { display: block; color: var(--primary-text-color); }
        .field { display: flex; flex-direction: column; gap: 4px; margin-bottom: 16px; }
        .field span, legend { color: var(--secondary-text-color); font-size: 0.875rem; }
        select, input[type="number"], input[type="text"] {
          font: inherit; padding: 8px; border-radius: 4px; color: var(--primary-text-color);
          background: var(--card-background-color, var(--primary-background-color));
          border: 1px solid var(--divider-color, rgba(127, 127, 127, 0.4));
        }
        fieldset { border: 1px solid var(--divider-color, rgba(127, 127, 127, 0.4)); border-radius: 4px; margin: 0 0 16px; padding: 8px 12px; }
        .check { display: flex; align-items: center; gap: 8px; padding: 4px 0; }
        input[type="checkbox"] { accent-color: var(--primary-color); width: 18px; height: 18px; }
        .hint, .note { color: var(--secondary-text-color); font-size: 0.875rem; margin: 4px 0 0; }
        .error { color: var(--error-color, #db4437); }
      </style>${body}`;
    const select = root.getElementById("couple");
    if (select) {
      select.addEventListener("change", () => {
        const config = { ...this._config, entry_id: select.value };
        delete config.rituals; // the other couple's rituals are others
        this._emit(config);
        this._render();
      });
    }
    root.querySelectorAll('input[type="checkbox"]').forEach((box) => {
      box.addEventListener("change", () => {
        const ids = [...root.querySelectorAll('input[type="checkbox"]:checked')].map((b) => b.value);
        const config = { ...this._config };
        if (couple && !config.entry_id) config.entry_id = couple.entry_id;
        if (ids.length) config.rituals = ids;
        else delete config.rituals;
        this._emit(config);
      });
    });
    const months = root.getElementById("months");
    if (months) {
      months.addEventListener("change", () => {
        const config = { ...this._config, months: clampMonths(months.value) };
        months.value = config.months;
        this._emit(config);
      });
    }
    const title = root.getElementById("title");
    if (title) {
      title.addEventListener("change", () => {
        const config = { ...this._config };
        const text = title.value.trim();
        if (text) config.title = text;
        else delete config.title;
        this._emit(config);
      });
    }
  }
};

// Home Assistant's frontend installs a registry of its own (a scoped custom element
// registry polyfill, with its own HTMLElement) when its app starts. This module can run
// before that: a card defined then would sit in the registry that is replaced, and the
// dashboard would never find it. So the card is defined once <home-assistant> is, in the
// registry (and on the HTMLElement) in use at that moment.
function register() {
  const registry = window.customElements;
  if (!registry.get(CARD_TYPE)) registry.define(CARD_TYPE, makeCard(window.HTMLElement));
  if (!registry.get(EDITOR_TYPE)) registry.define(EDITOR_TYPE, makeEditor(window.HTMLElement));
  window.customCards = window.customCards || [];
  if (!window.customCards.some((card) => card.type === CARD_TYPE)) {
    window.customCards.push({
      type: CARD_TYPE,
      name: "Connection Rituals",
      description: translate(
        (document.documentElement && document.documentElement.lang) || "en",
        "card_description",
      ),
      preview: true,
      documentationURL: "https://github.com/connection-rituals/connection-rituals",
    });
  }
}

if (window.customElements.get("home-assistant")) register();
else window.customElements.whenDefined("home-assistant").then(register);
