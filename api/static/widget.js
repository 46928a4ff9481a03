/*
 * 12333 政策问答 — chat UI for 景德镇市人力资源和社会保障局.
 *
 * One implementation, two mounts:
 *  - Embedded on any site with ONE tag (floating launcher + panel, full-screen at <=480px):
 *      <script src="https://assistant.example/static/widget.js" data-title="12333智能问答"
 *              data-api="https://assistant.example" data-open="false" data-suggestions="true" defer></script>
 *  - index.html provides <div id="policy-chat" data-inline> and includes this same file: the panel is
 *    mounted into that div instead of floating (its data-* attributes override the script's).
 *
 * The UI lives in an open Shadow DOM: host-page CSS cannot reach in and ours cannot leak out.
 * Styles are chat.css beside this script, loaded by a <link> inside the shadow root: a stylesheet
 * needs no CORS (a fetch() would), is cached like any asset and stays editable as plain CSS.
 * Server text is only ever inserted as text nodes (append/textContent) — never parsed as HTML.
 * Test hooks: data-testid="pa-*" attributes and window.PolicyAssistant (see bottom of file).
 */
(() => {
  'use strict';
  if (window.PolicyAssistant) return; // included twice (page template + CMS block): first one wins

  // currentScript is only set while this file first runs, so everything derived from it is captured now.
  const script = document.currentScript ||
    Array.from(document.scripts).find((s) => /\/widget\.js([?#]|$)/.test(s.src));
  const scriptUrl = new URL(script ? script.src : '/static/widget.js', location.href);
  const scriptOpts = script ? { ...script.dataset } : {};
  const CSS_URL = new URL('chat.css', scriptUrl).href + scriptUrl.search; // same cache-busting query as the script
  const MAX_LEN = 500;
  const IDLE_MS = 60000; // a stream silent this long is treated as dead rather than spinning forever
  const MARKER = /[[【](\d{1,3})[\]】]/g; // models sometimes emit full-width 【1】
  const META_LABELS = { issuer: '发布机关', publisher: '发布机关', doc_number: '文号', doc_no: '文号',
    date: '发布日期', publish_date: '发布日期', published: '发布日期', period: '规划期' };

  class ChatError extends Error {}

  /* ---------- small helpers ---------- */

  function h(tag, props, ...kids) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v == null || v === false) continue;
      if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    el.append(...kids.flat().filter((k) => k != null && k !== false)); // strings become text nodes
    return el;
  }

  const ICONS = {
    chat: 'M5 4.5h14a1.5 1.5 0 0 1 1.5 1.5v9a1.5 1.5 0 0 1-1.5 1.5H10l-5 4v-4a1.5 1.5 0 0 1-1.5-1.5V6A1.5 1.5 0 0 1 5 4.5zM8 9.5h8M8 12.5h5',
    close: 'M6 6l12 12M18 6L6 18',
    down: 'M6 9l6 6 6-6',
    plus: 'M12 5v14M5 12h14',
    send: 'M4 12l16-8-6 16-2.5-5.5z',
    back: 'M15 6l-6 6 6 6',
  };
  function icon(name) {
    const NS = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(NS, 'svg');
    const path = svg.appendChild(document.createElementNS(NS, 'path'));
    path.setAttribute('d', ICONS[name]);
    Object.entries({ viewBox: '0 0 24 24', 'aria-hidden': 'true', class: 'pa-icon' }).forEach(([k, v]) => svg.setAttribute(k, v));
    return svg;
  }

  const fmtSection = (s) => String(s || '').replace(/\s*[>›]\s*/g, ' › ').trim();
  const clipStart = (s, n) => (s.length > n ? '…' + s.slice(-n) : s);
  const clipEnd = (s, n) => (s.length > n ? s.slice(0, n) + '…' : s);

  function retrySeconds(value) { // Retry-After is either seconds or an HTTP date
    const secs = /^\s*\d+(\.\d+)?\s*$/.test(value || '') ? Number(value) : (Date.parse(value) - Date.now()) / 1000;
    return Number.isFinite(secs) ? Math.max(1, Math.ceil(secs)) : 0;
  }

  // Minimal Server-Sent Events parser (EventSource cannot POST). Accepts arbitrary chunking, \n, \r\n or
  // \r line ends, comments, and multi-line data fields joined with "\n", as in the SSE spec.
  function sseParser(onEvent) {
    let buf = '';
    let event = '';
    let data = [];
    const dispatch = () => {
      if (data.length) onEvent(event || 'message', data.join('\n'));
      [event, data] = ['', []];
    };
    const line = (l) => {
      if (l === '') return dispatch();
      if (l[0] === ':') return;
      const i = l.indexOf(':');
      const field = i < 0 ? l : l.slice(0, i);
      let value = i < 0 ? '' : l.slice(i + 1);
      if (value[0] === ' ') value = value.slice(1);
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    };
    return {
      push(text) {
        buf += text;
        // A trailing \r may be the first half of \r\n split across chunks: keep it for the next push.
        const end = buf.endsWith('\r') ? buf.length - 1 : buf.length;
        const lines = buf.slice(0, end).split(/\r\n|\r|\n/);
        buf = lines.pop() + buf.slice(end);
        lines.forEach(line);
      },
      end() {
        if (buf && buf !== '\r') line(buf);
        buf = '';
        dispatch(); // be lenient with a server that omits the final blank line
      },
    };
  }

  /* ---------- the chat component ---------- */

  function mount(host, cfg) {
    const mode = cfg.inline ? 'inline' : 'floating';
    const title = cfg.title || '12333政策问答';
    const API = String(cfg.api || scriptUrl.origin).replace(/\/+$/, '');
    const storeKey = 'policy-assistant:session:' + new URL(API, location.href).origin;
    const store = {
      get() { try { return sessionStorage.getItem(storeKey); } catch { return null; } },
      // Storage can be blocked (sandboxed iframe, strict privacy): the session then just ends on reload.
      set(id) { try { id ? sessionStorage.setItem(storeKey, id) : sessionStorage.removeItem(storeKey); } catch { /* see above */ } },
    };
    const state = { sessionId: store.get(), busy: false, controller: null, suggestions: null, opener: null, srcToken: 0 };
    let uid = 0; // ids for aria-labelledby between citation label and chip group
    const coarse = window.matchMedia && matchMedia('(pointer: coarse)').matches;

    const root = host.attachShadow({ mode: 'open' });
    const link = h('link', { rel: 'stylesheet', href: CSS_URL });
    // Kept hidden until chat.css arrives so the host never sees an unstyled flash; if the CSS cannot
    // load, a floating widget stays invisible rather than dumping raw markup onto someone else's page.
    const wrap = h('div', { class: `pa pa-${mode}`, hidden: true });
    link.addEventListener('load', () => { wrap.hidden = false; resolveReady(); });
    link.addEventListener('error', () => { console.warn('[PolicyAssistant] could not load', CSS_URL); wrap.hidden = mode !== 'inline'; resolveReady(); });
    root.append(link, wrap);

    /* skeleton */
    const launcher = mode === 'floating' && h('button', {
      type: 'button', class: 'pa-launcher', 'data-testid': 'pa-launcher', 'aria-label': '打开' + title,
      'aria-expanded': 'false', 'aria-controls': 'pa-panel', onclick: () => setOpen(panel.hidden, true),
    }, icon('chat'), h('span', { class: 'pa-launcher-text' }, '政策问答'));

    const newBtn = h('button', { type: 'button', class: 'pa-hbtn', 'data-testid': 'pa-new', onclick: newChat },
      icon('plus'), h('span', null, '新对话'));
    const closeBtn = mode === 'floating' && h('button', {
      type: 'button', class: 'pa-hbtn pa-hbtn-icon', 'aria-label': '关闭对话窗口', onclick: () => setOpen(false, true),
    }, icon('close'));
    const header = h('header', { class: 'pa-header' },
      h('span', { class: 'pa-badge', 'aria-hidden': 'true' }, '人社'),
      h('div', { class: 'pa-heading' },
        h('h2', { class: 'pa-title' }, title),
        h('p', { class: 'pa-subtitle' }, '景德镇市人社局 · 政策咨询')),
      h('div', { class: 'pa-actions' }, newBtn, closeBtn));

    const list = h('div', { class: 'pa-messages', role: 'log', 'aria-live': 'polite', 'aria-label': '对话记录', tabindex: '0' });

    const input = h('textarea', {
      id: 'pa-input', class: 'pa-input', 'data-testid': 'pa-input', rows: '1', enterkeyhint: 'send',
      placeholder: '请输入您要咨询的政策问题', 'aria-describedby': 'pa-count pa-hint',
    });
    const counter = h('span', { id: 'pa-count', class: 'pa-count' }, `0/${MAX_LEN}`);
    const send = h('button', { type: 'submit', class: 'pa-send', 'data-testid': 'pa-send', disabled: true },
      icon('send'), h('span', null, '发送'));
    const form = h('form', { class: 'pa-composer', onsubmit: (e) => { e.preventDefault(); ask(input.value); } },
      h('label', { for: 'pa-input', class: 'pa-sr-only' }, `输入您的问题（不超过${MAX_LEN}字）`),
      h('div', { class: 'pa-field' }, input,
        h('div', { class: 'pa-bar' },
          h('span', { id: 'pa-hint', class: 'pa-hint' }, 'Enter 发送，Shift+Enter 换行'),
          counter, send)));

    const footer = h('p', { class: 'pa-footer' },
      '答案依据已发布的政策文件，仅供参考；具体以经办机构解释为准。咨询电话 ',
      h('a', { href: 'tel:12333' }, '12333'));

    /* source viewer (in-panel modal drawer) */
    const srcKicker = h('span', { class: 'pa-source-kicker' });
    const srcClose = h('button', { type: 'button', class: 'pa-icon-btn', 'aria-label': '关闭原文', onclick: () => closeSource() }, icon('close'));
    const srcTitle = h('h3', { id: 'pa-source-title', class: 'pa-source-title' });
    const srcSection = h('p', { class: 'pa-source-section' });
    const srcMeta = h('p', { class: 'pa-source-meta' });
    const srcText = h('div', { class: 'pa-source-text' });
    // Title/section stay pinned while only the passage scrolls, so they remain visible next to the <mark>.
    const srcBody = h('div', { class: 'pa-source-body', tabindex: '0', 'aria-label': '原文内容' }, srcText);
    const viewer = h('div', {
      class: 'pa-source', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'pa-source-title',
      'data-testid': 'pa-source', hidden: true,
      onclick: (e) => { if (e.target === viewer) closeSource(); }, // click on the dimmed backdrop
    }, h('div', { class: 'pa-source-card' },
      h('div', { class: 'pa-source-head' }, srcKicker, srcClose),
      h('div', { class: 'pa-source-info' }, srcTitle, srcSection, srcMeta),
      srcBody,
      h('div', { class: 'pa-source-foot' },
        h('button', { type: 'button', class: 'pa-back', onclick: () => closeSource() }, icon('back'), '返回对话'))));

    const panel = h('section', {
      class: 'pa-panel', id: 'pa-panel', 'data-testid': 'pa-panel', 'aria-label': title,
      // A page-embedded chat is a region, not a dialog; the floating panel is a (non-modal) dialog.
      role: mode === 'floating' ? 'dialog' : 'region', hidden: mode === 'floating', tabindex: '-1',
    }, header, h('div', { class: 'pa-body' }, list), form, footer, viewer);
    wrap.append(...[launcher, panel].filter(Boolean));
    list.append(welcome());

    /* input handling */
    function refresh() {
      const len = input.value.trim().length;
      const over = len > MAX_LEN;
      counter.textContent = over ? `已超出 ${len - MAX_LEN} 字（${len}/${MAX_LEN}）` : `${len}/${MAX_LEN}`;
      counter.classList.toggle('pa-over', over);
      send.disabled = state.busy || len === 0 || over;
      input.style.height = 'auto'; // shrink first so deleting lines makes the box smaller again
      input.style.height = Math.min(input.scrollHeight, 144) + 'px';
    }
    input.addEventListener('input', refresh);
    input.addEventListener('keydown', (e) => {
      // isComposing/229: Enter is confirming a 拼音 IME candidate, not sending.
      if (e.key !== 'Enter' || e.shiftKey || e.isComposing || e.keyCode === 229) return;
      e.preventDefault();
      if (!send.disabled) form.requestSubmit ? form.requestSubmit() : ask(input.value);
    });

    // On the wrapper, so Escape also works while focus is on the launcher. Escape during IME composition
    // only cancels the composition.
    wrap.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && !e.isComposing) {
        if (!viewer.hidden) { e.stopPropagation(); closeSource(); } else setOpen(false, true);
      } else if (e.key === 'Tab' && !viewer.hidden) {
        trapFocus(e, viewer);
      }
    });

    function trapFocus(e, box) {
      const items = Array.from(box.querySelectorAll('button, [href], [tabindex="0"]')).filter((el) => !el.disabled && el.offsetParent);
      if (!items.length) return;
      const [first, last, active] = [items[0], items[items.length - 1], root.activeElement];
      if (e.shiftKey && (active === first || !box.contains(active))) { e.preventDefault(); last.focus(); }
      else if (!e.shiftKey && (active === last || !box.contains(active))) { e.preventDefault(); first.focus(); }
    }

    /* scrolling: follow the stream only while the reader is already at the bottom */
    function follow(fn, force) {
      const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
      fn();
      if (force || atBottom) list.scrollTop = list.scrollHeight;
    }

    /* welcome + suggestions */
    function welcome() {
      const box = h('div', { class: 'pa-welcome' },
        h('p', { class: 'pa-welcome-title' }, '您好，我是景德镇 12333 政策问答助手'),
        h('p', { class: 'pa-welcome-text' }, '可为您解答就业创业、社会保险、人才人事、劳动关系等方面的政策问题。回答附有政策原文出处，点击即可查看。'));
      if (cfg.suggestions !== 'false') {
        const chips = h('div', { class: 'pa-sugs', 'data-role': 'suggestions' });
        box.append(chips);
        if (!panel.hidden) fillSuggestions(chips); // a closed launcher costs the host page no API call
      }
      return box;
    }

    function fillSuggestions(chips) {
      if (chips.dataset.filled) return;
      chips.dataset.filled = 'true';
      loadSuggestions().then((items) => {
        if (!items.length || !chips.isConnected) return chips.remove();
        chips.append(h('p', { class: 'pa-sugs-label' }, '您可以这样问：'),
          ...items.map((q) => h('button', { type: 'button', class: 'pa-suggestion', 'data-testid': 'pa-suggestion', onclick: () => ask(q) }, q)));
      });
    }

    function loadSuggestions() {
      if (!state.suggestions) {
        state.suggestions = fetch(API + '/api/suggestions', { credentials: 'omit' })
          .then((r) => (r.ok ? r.json() : { suggestions: [] }))
          .then((j) => (Array.isArray(j && j.suggestions) ? j.suggestions : []).filter((s) => typeof s === 'string' && s.trim()).slice(0, 6))
          .catch(() => { state.suggestions = null; return []; }); // offline now: retry on the next new chat
      }
      return state.suggestions;
    }

    /* messages */
    function addUser(q) {
      follow(() => list.append(h('div', { class: 'pa-msg pa-msg-user', 'data-testid': 'pa-question' },
        h('span', { class: 'pa-sr-only' }, '我的问题：'), h('div', { class: 'pa-bubble' }, q))), true);
    }

    // An assistant message. Text is rendered incrementally; a marker split across deltas ("[" then "1]")
    // is held back until complete so it can become a superscript reference.
    function addAnswer() {
      const text = h('div', { class: 'pa-text', 'data-testid': 'pa-answer-text' });
      const status = h('div', { class: 'pa-status' },
        h('span', { class: 'pa-dots', 'aria-hidden': 'true' }, h('i'), h('i'), h('i')), '正在回答…');
      const bubble = h('div', { class: 'pa-bubble' }, text, status);
      const el = h('div', { class: 'pa-msg pa-msg-bot', 'data-testid': 'pa-answer', 'data-state': 'streaming', 'aria-busy': 'true' },
        h('span', { class: 'pa-sr-only' }, '助手回答：'), bubble);
      let [raw, pending] = ['', ''];
      follow(() => list.append(el), true);

      const appendText = (s) => {
        if (!s) return;
        const last = text.lastChild;
        if (last && last.nodeType === Node.TEXT_NODE) last.appendData(s); else text.append(s);
      };
      // <a>, not <button>: an atomic inline would break CJK line rules (a lone "。" wrapping after [1]).
      // It has no href (inert placeholder) until `done` tells us which citation it points to.
      const appendRef = (n) => text.append(h('sup', { class: 'pa-ref' }, h('a', { 'data-n': n, 'data-testid': 'pa-ref' }, `[${n}]`)));

      function render(chunk) {
        pending += chunk;
        let last = 0;
        for (const m of pending.matchAll(MARKER)) {
          appendText(pending.slice(last, m.index));
          appendRef(m[1]);
          last = m.index + m[0].length;
        }
        const rest = pending.slice(last);
        const partial = rest.match(/[[【]\d{0,3}$/);
        appendText(partial ? rest.slice(0, partial.index) : rest);
        pending = partial ? partial[0] : '';
      }

      return {
        el,
        push(s) { raw += s; follow(() => render(s)); },
        // The server withdrew what it streamed (an LLM draft failed the figure guard): start over.
        reset() { raw = ''; pending = ''; text.replaceChildren(); },
        done(p) {
          if (p.answer !== raw) { text.replaceChildren(); pending = ''; raw = p.answer; render(raw); } // server post-edited
          appendText(pending);
          status.remove();
          const cites = new Map();
          for (const c of Array.isArray(p.citations) ? p.citations : []) {
            if (c && Number.isFinite(Number(c.n)) && !cites.has(String(c.n))) cites.set(String(c.n), c);
          }
          const chips = new Map();
          for (const [n, c] of [...cites].sort((a, b) => a[0] - b[0])) chips.set(n, citationChip(c));
          text.querySelectorAll('.pa-ref a').forEach((a) => {
            const chip = chips.get(a.dataset.n);
            if (!chip) return a.parentNode.replaceWith(`[${a.dataset.n}]`); // marker with no source: plain text
            a.href = '#';
            a.setAttribute('aria-label', `查看引用 ${a.dataset.n} 的政策原文`);
            a.addEventListener('click', (e) => {
              e.preventDefault();
              chip.classList.remove('pa-flash');
              void chip.offsetWidth; // reflow, so re-adding the class restarts the highlight animation
              chip.classList.add('pa-flash');
              chip.click();
            });
          });
          follow(() => {
            if (p.grounded === false) {
              el.classList.add('pa-ungrounded');
              bubble.prepend(h('span', { class: 'pa-note' }, '未在已发布的政策文件中找到直接依据'));
            }
            if (chips.size) {
              el.append(h('div', { class: 'pa-cites' },
                h('p', { class: 'pa-cites-label', id: `pa-cites-${++uid}` }, '参考依据'),
                h('div', { class: 'pa-chiplist', role: 'group', 'aria-labelledby': `pa-cites-${uid}` }, ...chips.values())));
            }
          });
          el.dataset.state = 'done';
          el.setAttribute('aria-busy', 'false');
        },
        fail(message, retry) {
          appendText(pending);
          status.remove();
          el.dataset.state = 'error';
          el.setAttribute('aria-busy', 'false');
          follow(() => bubble.append(h('p', { class: 'pa-error', role: 'alert' }, message),
            retry && h('button', { type: 'button', class: 'pa-retry', onclick: () => { if (!state.busy) { el.remove(); run(retry); } } }, '重新回答')));
        },
      };
    }
    function citationChip(c) {
      const section = fmtSection(c.section);
      const chip = h('button', {
        type: 'button', class: 'pa-chip', 'data-testid': 'pa-citation', 'data-n': c.n, 'aria-haspopup': 'dialog',
        title: [c.document, section].filter(Boolean).join(' › '),
      }, h('span', { class: 'pa-chip-n' }, `[${c.n}]`), ' ', h('span', { class: 'pa-chip-label' }, section || c.document || '政策原文'));
      chip.addEventListener('click', () => openSource(c, chip));
      return chip;
    }

    /* networking */
    function post(path, body, signal, accept) {
      return fetch(API + path, {
        method: 'POST', body, signal, credentials: 'omit', cache: 'no-store',
        headers: { 'Content-Type': 'application/json', Accept: accept },
      });
    }

    async function httpError(res) {
      let detail = '';
      try { detail = (await res.json()).detail; } catch { /* body was not JSON */ }
      const text = typeof detail === 'string' ? detail.trim().slice(0, 200) : '';
      if (res.status === 429) {
        // Cross-origin, Retry-After is only readable if the server lists it in Access-Control-Expose-Headers.
        const s = retrySeconds(res.headers.get('Retry-After'));
        return new ChatError(s ? `请求过于频繁，请 ${s} 秒后再试。` : text || '请求过于频繁，请稍后再试。');
      }
      if (res.status === 422 || Array.isArray(detail)) return new ChatError(text || '问题内容不符合要求，请修改后再试。');
      if (text && (res.status < 500 || /[\u4e00-\u9fff]/.test(text))) return new ChatError(text);
      return new ChatError(res.status >= 500 ? '服务暂时不可用，请稍后再试，或拨打 12333 咨询。' : `请求未成功（${res.status}），请稍后再试。`);
    }

    function readWithin(reader, ms) {
      let timer;
      const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new ChatError('服务器响应超时，请稍后再试。')), ms); });
      return Promise.race([reader.read(), timeout]).finally(() => clearTimeout(timer));
    }

    // Streams into `msg`; resolves with the `done` payload. Falls back to the plain JSON endpoint when
    // streaming is unavailable (old proxy, 404/405, buffered non-SSE response) or ends without any text.
    async function request(q, msg, signal) {
      const body = JSON.stringify({ question: q, session_id: state.sessionId || null });
      const fallback = async () => {
        const r = await post('/api/chat', body, signal, 'application/json');
        if (!r.ok) throw await httpError(r);
        return r.json();
      };
      let res;
      try { res = await post('/api/chat/stream', body, signal, 'text/event-stream'); } catch (e) {
        if (signal.aborted) throw e;
        return fallback();
      }
      if (!res.ok) { if ([404, 405, 501].includes(res.status)) return fallback(); throw await httpError(res); }
      if (!res.body || !/event-stream/i.test(res.headers.get('Content-Type') || '')) return fallback();

      let [result, got] = [null, false];
      const parser = sseParser((event, data) => {
        let obj;
        try { obj = JSON.parse(data); } catch { return; }
        if (event === 'delta' && obj && typeof obj.text === 'string') { got = true; msg.push(obj.text); }
        else if (event === 'reset') msg.reset();
        else if (event === 'done') result = obj;
        else if (event === 'error') throw new ChatError((obj && typeof obj.message === 'string' && obj.message) || '回答生成失败，请稍后再试。');
      });
      const reader = res.body.getReader();
      const decoder = new TextDecoder('utf-8'); // stream:true keeps a 汉字 split across chunks intact
      try {
        for (;;) {
          const { value, done } = await readWithin(reader, IDLE_MS);
          if (done) break;
          parser.push(decoder.decode(value, { stream: true }));
          if (result) break;
        }
        if (!result) { parser.push(decoder.decode()); parser.end(); }
      } finally {
        reader.cancel().catch(() => {});
      }
      if (result) return result;
      if (!got) return fallback();
      throw new ChatError('回答意外中断，请重试。');
    }

    async function run(q) {
      const msg = addAnswer();
      const ctl = new AbortController();
      state.controller = ctl;
      setBusy(true);
      try {
        const payload = await request(q, msg, ctl.signal);
        if (!payload || typeof payload.answer !== 'string') throw new ChatError('服务返回的数据无法识别，请稍后再试。');
        if (payload.session_id) { state.sessionId = String(payload.session_id); store.set(state.sessionId); }
        msg.done(payload);
        return payload;
      } catch (err) {
        if (ctl.signal.aborted) { msg.el.remove(); return null; } // 新对话 pressed mid-answer
        const message = err instanceof ChatError ? err.message
          : err instanceof TypeError ? '网络连接异常，请检查网络后重试。' : '回答生成失败，请稍后再试。';
        msg.fail(message, q);
        return null;
      } finally {
        if (state.controller === ctl) { state.controller = null; setBusy(false); }
      }
    }

    function setBusy(b) { state.busy = b; refresh(); }

    async function ask(question) {
      const q = String(question == null ? '' : question).trim();
      if (!q || q.length > MAX_LEN || state.busy) return null;
      setOpen(true, false);
      list.querySelectorAll('[data-role="suggestions"]').forEach((s) => s.remove()); // only before the first question
      if (input.value.trim() === q) { input.value = ''; refresh(); }
      addUser(q);
      return run(q);
    }

    function newChat() {
      if (state.controller) state.controller.abort();
      state.controller = state.sessionId = null;
      store.set(null);
      closeSource(false);
      list.replaceChildren(welcome());
      input.value = '';
      setBusy(false);
      input.focus();
    }

    /* open / close (floating only; inline is always open) */
    function setOpen(on, focus) {
      if (mode !== 'floating' || on === !panel.hidden) return;
      if (!on) closeSource(false);
      panel.hidden = !on;
      wrap.classList.toggle('pa-open', on);
      launcher.setAttribute('aria-expanded', String(on));
      launcher.setAttribute('aria-label', (on ? '关闭' : '打开') + title);
      launcher.replaceChildren(icon(on ? 'down' : 'chat'), h('span', { class: 'pa-launcher-text' }, on ? '收起' : '政策问答'));
      if (on) list.querySelectorAll('[data-role="suggestions"]').forEach(fillSuggestions);
      // On touch devices focusing the textarea would pop the keyboard up over the welcome text.
      if (focus && on) requestAnimationFrame(() => (coarse ? panel : input).focus());
      else if (focus) launcher.focus();
    }

    /* source viewer */
    const docCache = new Map();
    function getDoc(url) {
      const abs = new URL(url, API + '/');
      if (!/^https?:$/.test(abs.protocol)) return Promise.reject(new Error('bad url'));
      const key = /^\//.test(url) ? API + url : abs.href; // keep a path-prefixed data-api (…/assistant)
      if (!docCache.has(key)) {
        const load = async () => { const r = await fetch(key, { credentials: 'omit' }); if (!r.ok) throw await httpError(r); return r.json(); };
        docCache.set(key, load().catch((e) => { docCache.delete(key); throw e; })); // only successes are cached
      }
      return docCache.get(key);
    }

    function showPassage(before, passage, after) {
      const mark = h('mark', { 'data-testid': 'pa-passage' }, passage);
      srcText.replaceChildren(...[before && h('span', { class: 'pa-ctx' }, clipStart(before, 320)), mark,
        after && h('span', { class: 'pa-ctx' }, clipEnd(after, 320))].filter(Boolean));
      // Not scrollIntoView(): that would also scroll the host page.
      requestAnimationFrame(() => { srcBody.scrollTop = Math.max(0, mark.offsetTop - 56); });
    }

    function showInfo(title, section, meta) {
      srcTitle.textContent = title || '政策文件';
      srcSection.textContent = fmtSection(section);
      srcSection.hidden = !srcSection.textContent;
      srcMeta.replaceChildren(...meta.flatMap((m, i) => (i ? ['　', m] : [m])));
      srcMeta.hidden = !meta.length;
    }

    async function openSource(c, chip) {
      const token = ++state.srcToken;
      state.opener = chip;
      srcKicker.textContent = `引用 [${c.n}] · 政策原文`;
      showInfo(c.document, c.section, []);
      srcText.replaceChildren(h('p', { class: 'pa-loading' }, '正在加载原文…'));
      viewer.hidden = false;
      [header, list, form, footer].forEach((el) => { el.inert = true; }); // modal within the panel (not the page)
      srcClose.focus();
      try {
        if (!c.url) throw new Error('no url');
        const d = await getDoc(c.url);
        if (token !== state.srcToken || viewer.hidden) return;
        const meta = Object.entries(d.meta || {})
          .filter(([k, v]) => META_LABELS[k] && (typeof v === 'string' || typeof v === 'number') && String(v).trim())
          .map(([k, v]) => `${META_LABELS[k]}：${v}`);
        const src = typeof d.source === 'string' ? d.source : '';
        if (/^https?:\/\//i.test(src)) meta.push(h('a', { href: src, target: '_blank', rel: 'noopener noreferrer' }, '查看文件来源'));
        showInfo(d.title || c.document, d.section || c.section, meta);
        const ctx = d.context || {};
        showPassage(String(ctx.before || ''), String((d.passage && d.passage.text) || c.text || ''), String(ctx.after || ''));
      } catch (e) {
        if (token !== state.srcToken || viewer.hidden) return;
        if (!c.text) return srcText.replaceChildren(h('p', { class: 'pa-error' }, e instanceof ChatError ? e.message : '原文暂时无法加载，请稍后再试。'));
        showPassage('', String(c.text), ''); // the citation's own snippet is better than nothing
        srcText.prepend(h('p', { class: 'pa-loading' }, '原文暂时无法加载，以下为引用片段：'));
      }
    }

    function closeSource(returnFocus = true) {
      if (viewer.hidden) return;
      state.srcToken++;
      viewer.hidden = true;
      [header, list, form, footer].forEach((el) => { el.inert = false; });
      if (returnFocus && state.opener && state.opener.isConnected) state.opener.focus();
      state.opener = null;
    }

    if (cfg.open === 'true') setOpen(true, false); // no focus: auto-open must not steal it from the host page
    window.addEventListener('pagehide', () => state.controller && state.controller.abort());

    return { open: () => setOpen(true, true), close: () => setOpen(false, false), ask, newChat, root };
  }

  /* ---------- boot ---------- */

  let resolveReady;
  const api = { root: null, ready: new Promise((r) => { resolveReady = r; }) };
  function boot() {
    const inlineHost = document.querySelector('#policy-chat[data-inline]');
    const host = inlineHost || document.body.appendChild(document.createElement('policy-assistant'));
    const cfg = { ...scriptOpts, ...(inlineHost ? inlineHost.dataset : {}), inline: !!inlineHost };
    Object.assign(api, mount(host, cfg));
  }
  // window.PolicyAssistant, for host pages and browser tests: open() / close() (no-ops inline);
  // ask(question) → Promise of the `done` payload, or null on error/busy/invalid input; newChat();
  // root = the ShadowRoot holding the data-testid="pa-*" elements; ready = Promise resolved once chat.css
  // has loaded and the UI is visible (present even before boot).
  window.PolicyAssistant = api;
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
  else boot();
})();
