// The trading console page: one WebSocket from the console server (`/ws`): a snapshot when it opens, then updates
// (console-state.ts defines both). Every price, size and amount arrives as a string the server formatted from
// integer units; the only numbers here are the chart's prices in ticks (integers), formatted by integer arithmetic.
// Everything is written with textContent (no HTML from data).

const $ = (id) => document.getElementById(id);
const FLASH_MS = 1500;
const MAX_ROWS = 50;

const S = {
  markets: new Map(), // ticker -> MarketView
  history: new Map(), // ticker -> ChartPoint[]
  changedAt: new Map(), // ticker -> Map(level key -> page ms)
  opportunities: new Map(), // key -> OpportunityView
  arrivedAt: new Map(), // opportunity key -> page ms of its last change
  signals: [],
  orders: new Map(),
  fills: [],
  portfolio: null,
  health: [],
  kill: null,
  run: null,
  selected: null,
  userSelected: false,
};

/** Ticks (1/10000 $, an integer or the chart's interpolated value) -> "0.2200", by integer arithmetic only. */
function fmtTicks(value) {
  const t = Math.round(value);
  const neg = t < 0;
  const a = Math.abs(t);
  const whole = Math.floor(a / 10000);
  const frac = String(a - whole * 10000).padStart(4, '0');
  return `${neg ? '-' : ''}${whole}.${frac}`;
}

/** Exchange or wall time in ms -> HH:MM:SS UTC ('—' for 0: before any frame carried a time). */
function fmtTime(ms) {
  if (!ms) return '—';
  return new Date(ms).toISOString().slice(11, 19);
}

/** "-0.120800" -> "-$0.120800" (string only). */
const usd = (v) => (v === null || v === undefined ? null : v.startsWith('-') ? `-$${v.slice(1)}` : `$${v}`);

/** Legs as "buy YES 0.2600 …-CLE": market tickers shortened by the prefix (up to a '-') that all legs share. */
function legsText(legs, withSize) {
  let prefix = '';
  if (legs.length > 1) {
    const first = legs[0].market;
    let n = 0;
    while (n < first.length && legs.every((l) => l.market[n] === first[n])) n++;
    prefix = first.slice(0, first.lastIndexOf('-', n - 1) + 1);
  }
  return legs
    .map((l) => `${l.action} ${withSize ? `${l.size} ` : ''}${l.side.toUpperCase()} @ ${l.price} ${prefix ? `…-${l.market.slice(prefix.length)}` : l.market}`)
    .join(' · ');
}

function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('data-')) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}
const td = (text, cls) => el('td', { class: cls, text: text ?? '—' });
/** "0.4700 × 6291.37" (the size in a span that a phone hides). */
const quote = (price, size, cls) => (price ? el('td', { class: cls }, price, el('span', { class: 'sz', text: ` × ${size}` })) : td(null, cls));

function fillBody(tableId, rows, emptyId) {
  const body = $(tableId).tBodies[0];
  body.replaceChildren(...rows);
  if (emptyId) $(emptyId).hidden = rows.length > 0;
}

// ---- rendering, at most once per animation frame per part ------------------------------------------------------

const dirty = new Set();
let frame = 0;
function schedule(...parts) {
  for (const p of parts) dirty.add(p);
  if (!frame) frame = requestAnimationFrame(render);
}
function render() {
  frame = 0;
  const parts = [...dirty];
  dirty.clear();
  for (const p of parts) RENDER[p]();
}

const RENDER = {
  run() {
    const r = S.run;
    if (!r) return;
    $('run-phase').textContent = r.phase;
    const p = $('run-progress');
    if (r.total) {
      p.hidden = false;
      p.max = r.total;
      p.value = r.replayed ?? 0;
      $('run-frames').textContent = `${r.replayed ?? 0}/${r.total} frames replayed`;
    } else {
      p.hidden = true;
      $('run-frames').textContent = '';
    }
  },

  markets() {
    const tickers = [...S.markets.keys()].sort();
    if (!S.userSelected) {
      // until the user picks one, show the busiest book (switching only to a clearly busier one)
      const updates = (t) => S.markets.get(t)?.levelUpdates ?? 0;
      const busiest = tickers.reduce((best, t) => (best === null || updates(t) > updates(best) ? t : best), null);
      const cur = S.selected && S.markets.has(S.selected) ? S.selected : null;
      const pick = cur === null || updates(busiest) > 1.5 * updates(cur) + 10 ? busiest : cur;
      if (pick !== S.selected) selectMarket(pick, false);
    }
    const now = performance.now();
    const rows = tickers.map((t) => {
      const m = S.markets.get(t);
      const recent = (S.changedAt.get(t)?.size ?? 0) > 0 && [...S.changedAt.get(t).values()].some((at) => now - at < FLASH_MS);
      const tr = el(
        'tr',
        { class: t === S.selected ? 'selected' : '', 'data-ticker': t, title: m.valid ? '' : 'book stale: awaiting a snapshot' },
        el('td', { class: 'l', text: m.valid ? t : `${t} (stale)` }),
        quote(m.bid, m.bidSize, recent ? 'bid changed' : 'bid'),
        quote(m.ask, m.askSize, recent ? 'ask changed' : 'ask'),
        td(m.spread),
        td(String(m.levelUpdates), 'updates'),
      );
      tr.addEventListener('click', () => selectMarket(t, true));
      return tr;
    });
    fillBody('markets', rows, 'markets-empty');
    const sel = $('market-select');
    const opts = tickers.map((t) => el('option', { value: t, text: t, selected: t === S.selected }));
    if (sel.options.length !== opts.length || [...sel.options].some((o, i) => o.value !== tickers[i])) sel.replaceChildren(...opts);
    sel.value = S.selected ?? '';
  },

  ladder() {
    const m = S.selected ? S.markets.get(S.selected) : null;
    if (!m) {
      fillBody('ladder', []);
      return;
    }
    const now = performance.now();
    const flashes = S.changedAt.get(m.ticker) ?? new Map();
    let pending = false;
    const cls = (key, base) => {
      const at = flashes.get(key);
      if (at !== undefined && now - at < FLASH_MS) {
        pending = true;
        return `${base} changed`;
      }
      if (at !== undefined) flashes.delete(key);
      return base;
    };
    const rows = [];
    const asks = m.ladder.asks.slice().reverse(); // worst ask on top, best ask just above the spread
    asks.forEach((l, i) =>
      rows.push(el('tr', { class: `ask-row${i === asks.length - 1 ? ' best' : ''}`, 'data-key': l.key }, td(''), td(l.price, cls(l.key, 'price c')), td(l.size, cls(l.key, 'size')))),
    );
    rows.push(el('tr', { class: 'spread-row' }, el('td', { colSpan: 3, text: m.spread ? `spread ${m.spread}` : m.valid ? 'one-sided book' : 'book stale: awaiting a snapshot' })));
    m.ladder.bids.forEach((l, i) =>
      rows.push(el('tr', { class: `bid-row${i === 0 ? ' best' : ''}`, 'data-key': l.key }, td(l.size, cls(l.key, 'size')), td(l.price, cls(l.key, 'price c')), td(''))),
    );
    fillBody('ladder', rows);
    if (pending) setTimeout(() => schedule('ladder', 'markets'), FLASH_MS);
  },

  chart() {
    Chart.show(S.selected, S.history.get(S.selected) ?? []);
  },

  opportunities() {
    const now = performance.now();
    const list = [...S.opportunities.values()].sort((a, b) => (a.state === b.state ? b.updatedMs - a.updatedMs : a.state === 'open' ? -1 : 1)).slice(0, MAX_ROWS);
    let pending = false;
    const rows = list.map((o) => {
      const fresh = now - (S.arrivedAt.get(o.key) ?? 0) < FLASH_MS * 2;
      if (fresh) pending = true;
      const legs = legsText(o.legs, false);
      return el(
        'tr',
        { class: fresh ? 'changed' : '', 'data-key': o.key, 'data-kind': o.kind },
        el('td', { class: 'l' }, el('span', { class: `state ${o.state}`, text: o.state })),
        td(o.kind, 'l'),
        el('td', { class: 'l wrap' }, el('div', { text: o.event || '—' }), el('div', { class: 'legs', text: legs })),
        td(o.gross),
        td(o.net, o.net.startsWith('-') ? 'neg' : 'pos'),
        td(o.state === 'closed' ? `${fmtTime(o.openedTsMs)}–${fmtTime(o.closedTsMs)}` : fmtTime(o.openedTsMs)),
      );
    });
    fillBody('opportunities', rows, 'opportunities-empty');
    if (pending) setTimeout(() => schedule('opportunities'), FLASH_MS * 2);
  },

  signals() {
    const rows = S.signals
      .slice(-MAX_ROWS)
      .reverse()
      .map((s) =>
        el(
          'tr',
          { title: s.reasons.join('\n') },
          td(fmtTime(s.createdTsMs), 'l'),
          td(s.kind, 'l'),
          el('td', { class: 'l wrap legs', text: legsText(s.legs, true), title: s.legs.map((l) => l.market).join('\n') }),
          td(s.fair),
          td(s.net, s.net.startsWith('-') ? 'neg' : 'pos'),
          td(s.confidence),
        ),
      );
    fillBody('signals', rows, 'signals-empty');
  },

  orders() {
    const list = [...S.orders.values()].sort((a, b) => b.updatedTsMs - a.updatedTsMs).slice(0, MAX_ROWS);
    const rows = list.map((o) =>
      el(
        'tr',
        { title: o.rejectReason ? `rejected: ${o.rejectReason}` : o.clientOrderId },
        td(fmtTime(o.updatedTsMs), 'l'),
        td(o.market, 'l'),
        td(`${o.action} ${o.side.toUpperCase()}`, 'l'),
        td(o.price),
        td(o.count),
        td(o.filled),
        td(o.rejectReason ? `${o.status} (${o.rejectReason})` : o.status, 'l'),
      ),
    );
    fillBody('orders', rows, 'orders-empty');
  },

  fills() {
    const rows = S.fills
      .slice(-MAX_ROWS)
      .reverse()
      .map((f) =>
        el(
          'tr',
          { title: f.id },
          td(fmtTime(f.tsMs), 'l'),
          td(f.market, 'l'),
          td(`${f.action} ${f.side.toUpperCase()}`, f.side === 'yes' ? 'l bid' : 'l ask'),
          td(f.price),
          td(f.count),
          td(f.fee),
          td(`${f.ours ? 'ours' : 'foreign'}${f.taker ? ', taker' : ', maker'}`, 'l'),
        ),
      );
    fillBody('fills', rows, 'fills-empty');
  },

  portfolio() {
    const p = S.portfolio;
    const pnl = $('pnl');
    if (!p) return;
    const sign = (v) => (v && v.startsWith('-') ? 'neg' : 'pos');
    pnl.className = 'pnl';
    pnl.replaceChildren(
      'PnL ',
      el('b', { class: sign(p.pnl.total), text: usd(p.pnl.total) }),
      ` = realized ${usd(p.pnl.realized)} (fees ${usd(p.pnl.fees)} included) + unrealized ${usd(p.pnl.unrealized)}`,
    );
    fillBody(
      'positions',
      p.positions.map((x) => el('tr', {}, td(x.market, 'l'), td(x.position), td(x.cost), td(x.realized, sign(x.realized)), td(x.unrealized, sign(x.unrealized)), td(x.fees))),
    );
  },

  health() {
    const rows = S.health.map((h) =>
      el('tr', {}, el('td', { class: 'l' }, el('span', { class: `dot ${h.ok ? 'ok' : 'bad'}` }), h.name), el('td', { class: 'l wrap', text: h.summary })),
    );
    fillBody('health', rows, 'health-empty');
  },

  kill() {
    const k = S.kill;
    const badge = $('kill-state');
    const button = $('kill-button');
    if (!k || k.engaged === null) {
      badge.className = 'badge muted';
      badge.textContent = 'kill switch: no execution app';
      button.disabled = true;
      button.textContent = 'Kill switch…';
      return;
    }
    button.disabled = false;
    if (k.engaged) {
      badge.className = 'badge bad';
      badge.textContent = `kill switch ENGAGED${k.by ? ` by ${k.by}` : ''}${k.reason ? `: ${k.reason}` : ''}`;
      button.textContent = 'Resume trading…';
      button.className = '';
    } else {
      badge.className = 'badge ok';
      badge.textContent = `kill switch off · ${k.mode ?? ''} · breaker ${k.breaker ?? '?'}`;
      button.textContent = 'Kill switch…';
      button.className = 'danger';
    }
  },
};

function selectMarket(ticker, byUser) {
  if (byUser) S.userSelected = true;
  S.selected = ticker;
  schedule('markets', 'ladder', 'chart');
}

// ---- the chart (lightweight-charts, prices in integer ticks) ---------------------------------------------------

const Chart = {
  chart: null,
  bid: null,
  ask: null,
  ticker: undefined,
  last: 0,
  /** keep the whole history in view until the user pans or zooms the chart (a new market resets it) */
  follow: true,
  fitTimer: 0,
  init() {
    const LC = window.LightweightCharts;
    if (!LC) {
      $('chart').textContent = 'lightweight-charts did not load.';
      return;
    }
    const fmt = (p) => fmtTicks(p);
    this.chart = LC.createChart($('chart'), {
      autoSize: true,
      layout: { background: { type: 'solid', color: 'transparent' }, textColor: '#8b949e', attributionLogo: false },
      grid: { vertLines: { color: '#21262d' }, horzLines: { color: '#21262d' } },
      timeScale: { timeVisible: true, secondsVisible: true, borderColor: '#30363d' },
      rightPriceScale: { borderColor: '#30363d' },
      localization: { priceFormatter: fmt },
    });
    const series = (color) => this.chart.addSeries(LC.LineSeries, { color, lineWidth: 2, lineType: 1, priceFormat: { type: 'custom', minMove: 1, formatter: fmt } });
    this.bid = series('#3fb950');
    this.ask = series('#f85149');
    for (const ev of ['wheel', 'pointerdown', 'touchstart']) $('chart').addEventListener(ev, () => (this.follow = false), { passive: true });
    $('chart').addEventListener('dblclick', () => {
      this.follow = true;
      this.chart.timeScale().fitContent();
    });
  },
  fitSoon() {
    if (!this.follow || this.fitTimer) return;
    this.fitTimer = setTimeout(() => {
      this.fitTimer = 0;
      if (this.follow) this.chart.timeScale().fitContent();
    }, 500);
  },
  /** Replaces the series with a market's history (points: [sec, bidTicks|null, askTicks|null]). */
  show(ticker, points) {
    $('chart-title').textContent = ticker ? `${ticker}${points.length ? '' : ' · no timed quote yet'}` : '';
    if (!this.chart) return;
    if (ticker !== this.ticker) this.follow = true;
    this.ticker = ticker;
    this.bid.setData(points.map(([t, b]) => (b === null ? { time: t } : { time: t, value: b })));
    this.ask.setData(points.map(([t, , a]) => (a === null ? { time: t } : { time: t, value: a })));
    this.last = points.length ? points[points.length - 1][0] : 0;
    this.chart.timeScale().fitContent();
  },
  /** Appends (or replaces, same second) the latest point of the shown market. */
  update(ticker, p) {
    if (!this.chart || ticker !== this.ticker || !p || p[0] < this.last) return;
    const [t, b, a] = p;
    this.bid.update(b === null ? { time: t } : { time: t, value: b });
    this.ask.update(a === null ? { time: t } : { time: t, value: a });
    this.last = t;
    this.fitSoon();
  },
};

// ---- messages ----------------------------------------------------------------------------------------------------

function pushPoint(ticker, p) {
  if (!p) return;
  let h = S.history.get(ticker);
  if (!h) S.history.set(ticker, (h = []));
  const last = h[h.length - 1];
  if (last && p[0] < last[0]) return;
  if (last && p[0] === last[0]) h[h.length - 1] = p;
  else h.push(p);
  if (h.length > 3600) h.splice(0, h.length - 3600);
}

function applySnapshot(s) {
  S.markets = new Map(s.markets.map((m) => [m.ticker, m]));
  S.history = new Map(Object.entries(s.history));
  S.changedAt = new Map();
  S.opportunities = new Map(s.opportunities.map((o) => [o.key, o]));
  S.arrivedAt = new Map();
  S.signals = s.signals;
  S.orders = new Map(s.orders.map((o) => [o.clientOrderId, o]));
  S.fills = s.fills;
  S.portfolio = s.portfolio;
  S.health = s.health;
  S.kill = s.kill;
  S.run = s.run;
  if (S.selected && !S.markets.has(S.selected)) S.selected = null;
  schedule('run', 'markets', 'ladder', 'chart', 'opportunities', 'signals', 'orders', 'fills', 'portfolio', 'health', 'kill');
}

function applyUpdate(u) {
  const now = performance.now();
  if (u.run) {
    S.run = u.run;
    schedule('run');
  }
  if (u.markets) {
    for (const m of u.markets) {
      S.markets.set(m.ticker, m);
      if (m.changed.length) {
        let f = S.changedAt.get(m.ticker);
        if (!f) S.changedAt.set(m.ticker, (f = new Map()));
        for (const k of m.changed) f.set(k, now);
      }
      pushPoint(m.ticker, m.point);
      Chart.update(m.ticker, m.point);
    }
    schedule('markets');
    if (u.markets.some((m) => m.ticker === S.selected) || !S.selected) schedule('ladder');
  }
  if (u.opportunities) {
    for (const o of u.opportunities) {
      S.opportunities.set(o.key, o);
      S.arrivedAt.set(o.key, now);
    }
    schedule('opportunities');
  }
  if (u.signals) {
    S.signals = S.signals.concat(u.signals).slice(-200);
    schedule('signals');
  }
  if (u.orders) {
    for (const o of u.orders) S.orders.set(o.clientOrderId, o);
    schedule('orders');
  }
  if (u.fills) {
    S.fills = S.fills.concat(u.fills).slice(-200);
    schedule('fills');
  }
  if (u.portfolio) {
    S.portfolio = u.portfolio;
    schedule('portfolio');
  }
  if (u.health) {
    S.health = u.health;
    schedule('health');
  }
  if (u.kill) {
    S.kill = u.kill;
    schedule('kill');
  }
}

// ---- the WebSocket, reconnecting -------------------------------------------------------------------------------

let retryMs = 500;
function connect() {
  const conn = $('conn');
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
  ws.onopen = () => {
    retryMs = 500;
    conn.className = 'badge ok';
    conn.textContent = 'live';
  };
  ws.onmessage = (ev) => {
    const msg = JSON.parse(ev.data);
    if (msg.type === 'snapshot') applySnapshot(msg);
    else if (msg.type === 'update') applyUpdate(msg);
  };
  ws.onclose = () => {
    conn.className = 'badge warn';
    conn.textContent = 'reconnecting…';
    setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 5000);
  };
}

// ---- the kill switch, behind the page's own confirmation dialog --------------------------------------------------

function toast(text) {
  const t = $('toast');
  t.textContent = text;
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (t.hidden = true), 6000);
}

function openKillDialog() {
  const engaged = S.kill?.engaged === true;
  const d = $('kill-dialog');
  d.dataset.mode = engaged ? 'resume' : 'kill';
  $('kill-title').textContent = engaged ? 'Resume trading?' : 'Engage the kill switch?';
  $('kill-text').textContent = engaged
    ? 'Disengages the kill switch. The circuit breaker reopens trading only after its cool-down and a successful trial order.'
    : 'Every later order is refused, the circuit breaker trips, and every open order of the account is canceled.';
  $('kill-reason').value = engaged ? 'resumed from the console' : 'manual stop from the console';
  $('kill-confirm').textContent = engaged ? 'Resume trading' : 'Engage kill switch';
  $('kill-confirm').className = engaged ? '' : 'danger';
  $('kill-error').textContent = '';
  d.showModal();
}

async function confirmKill() {
  const d = $('kill-dialog');
  const reason = $('kill-reason').value.trim();
  if (!reason) {
    $('kill-error').textContent = 'A reason is required.';
    return;
  }
  const resume = d.dataset.mode === 'resume';
  const button = $('kill-confirm');
  button.disabled = true;
  try {
    const res = await fetch(resume ? '/api/kill-switch/resume' : '/api/kill-switch', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reason }),
    });
    const body = await res.json();
    if (!body.ok) throw new Error(body.error || `HTTP ${res.status}`);
    const r = body.result;
    S.kill = { ...(S.kill ?? {}), engaged: r.engaged, reason: r.engaged ? reason : null };
    schedule('kill');
    d.close();
    toast(
      resume
        ? 'Kill switch disengaged.'
        : `Kill switch engaged: ${r.canceled} order(s) canceled, ${r.openAfter} still open${r.errors.length ? `; errors: ${r.errors.join('; ')}` : ''}.`,
    );
  } catch (e) {
    $('kill-error').textContent = e.message;
  } finally {
    button.disabled = false;
  }
}

$('kill-button').addEventListener('click', openKillDialog);
$('kill-cancel').addEventListener('click', () => $('kill-dialog').close());
$('kill-confirm').addEventListener('click', confirmKill);
$('market-select').addEventListener('change', (e) => selectMarket(e.target.value, true));

Chart.init();
connect();
