// The live chat (/chat): the first message opens the visitor's chat (POST /chat/start, as
// the signed visitor cookie); after that the chat's lookup code drives the customer API
// (messages, picks, images, voice) and the live channel (/api/v1/live). The conversation is
// drawn from the live channel's events only: on load it subscribes from seq 0 (the whole
// history), on a reconnect from the last seq it drew — so nothing is lost or drawn twice.
// Every text from a person goes in with textContent, never as HTML.
'use strict';
(function () {
  const root = document.getElementById('chat');
  if (!root) return;
  const $ = (id) => document.getElementById(id);
  const d = root.dataset;
  const log = $('chat-log');
  const form = $('chat-form');
  const input = $('chat-input');
  const status = $('chat-status');
  const queue = $('chat-queue');
  const error = $('chat-error');
  const imageInput = $('chat-image');
  const voice = $('chat-voice');
  const state = { chat: null, lastSeq: 0, socket: null, retry: 0, seen: new Set(), agentName: null };

  function api(path, options = {}) {
    const headers = Object.assign({ 'x-lookup-code': state.chat.lookup_code }, options.headers || {});
    return fetch(path, Object.assign({}, options, { headers }));
  }
  async function problem(r) {
    try {
      const p = await r.json();
      const field = p.errors && p.errors[0];
      return field ? `${field.field} ${field.message}` : (p.detail || p.title || r.status);
    } catch (_) { return String(r.status); }
  }
  function showError(prefix, text) { error.textContent = text ? `${prefix} ${text}` : ''; }
  function fill(template, key, value) { return template.split(`{${key}}`).join(String(value)); }

  /** A new `tag` in `parent`, with its class and its text (as text, never HTML). */
  function el(parent, tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    parent.appendChild(e);
    return e;
  }

  // A phone turned or its keyboard opened: the log's box changed size. A reader who was at
  // the newest message stays there (the browser would keep the old offset and hide it).
  let atBottom = true;
  log.addEventListener('scroll', () => {
    atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 8;
  });
  if (window.ResizeObserver) {
    new ResizeObserver(() => { if (atBottom) log.scrollTop = log.scrollHeight; }).observe(log);
  }

  function line(text, cls = 'system') {
    const li = el(log, 'li', `msg ${cls}`);
    el(li, 'div', 'body', text);
    li.scrollIntoView({ block: 'end' });
    return li;
  }

  function drawAttachment(li, a) {
    if (!a.url || !(a.url.startsWith('/') || a.url.startsWith('https://'))) return;
    if (a.kind === 'image') {
      const img = el(li, 'img', 'chat-image');
      img.src = a.url;
      img.alt = a.name || d.tImage;
    } else if (a.kind === 'voice') {
      const audio = el(li, 'audio');
      audio.controls = true;
      audio.src = a.url;
      audio.setAttribute('aria-label', d.tVoice);
      if (a.transcript) el(li, 'div', 'hint', a.transcript);
    } else {
      el(li, 'a', 'file', a.name || a.url).href = a.url;
    }
  }

  // A satisfaction survey in the chat: answered here with the chat's lookup code (one
  // answer per survey; a second, e.g. on a reminder, is 409 and reads as done).
  function drawSurvey(li, survey) {
    const template = $(survey.form === 'helpful' ? 'survey-helpful' : 'survey-score');
    if (!template) return;
    const box = template.content.firstElementChild.cloneNode(true);
    li.appendChild(box);
    for (const b of box.querySelectorAll('button')) {
      b.addEventListener('click', async () => {
        const answer = b.dataset.score ? { score: Number(b.dataset.score) } : { helpful: b.dataset.helpful === 'true' };
        showError('');
        try {
          const r = await api(`/api/v1/customer/tickets/${state.chat.number}/satisfaction`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(answer),
          });
          if (!r.ok && r.status !== 409) { showError(d.tSurveyRefused, await problem(r)); return; }
          const done = document.createElement('p');
          done.className = 'ok survey-done';
          done.textContent = d.tSurveyThanks;
          box.replaceWith(done);
          input.focus();
        } catch (e) { showError(d.tSurveyRefused, e.message); }
      });
    }
  }

  function drawMessage(m) {
    const key = m.id != null ? `m${m.id}` : null;
    if (key && state.seen.has(key)) return;
    if (key) state.seen.add(key);
    const mine = m.from === 'customer';
    const li = el(log, 'li', `msg ${mine ? 'me' : m.from === 'system' ? 'system' : 'them'}`);
    li.dataset.from = m.from;
    const meta = el(li, 'div', 'meta');
    const who = { agent: state.agentName || d.tAgent, survey: d.tSurvey }[m.from] || d.tBot;
    el(meta, 'span', 'who', mine ? d.tYou : who);
    if (m.created_at) {
      const at = new Date(m.created_at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
      el(meta, 'time', null, ` ${at}`).dateTime = m.created_at;
    }
    if (m.body) el(li, 'div', 'body', m.body);
    for (const a of m.attachments || []) drawAttachment(li, a);
    if (m.survey && m.survey.token) drawSurvey(li, m.survey);
    if ((m.suggestions || []).length) {
      el(li, 'div', 'hint', d.tSuggestions);
      const list = el(li, 'div', 'suggestions');
      for (const s of m.suggestions) {
        const b = el(list, 'button', 'suggestion', s.question);
        b.type = 'button';
        b.addEventListener('click', () => send({ pick: s.id, body: s.question }));
      }
    }
    li.scrollIntoView({ block: 'end' });
  }

  function drawEvent(e) {
    const p = e.payload || {};
    switch (e.kind) {
      case 'message_added': if (p.message) drawMessage(p.message); break;
      case 'handed_off': line(d.tHandingOver); break;
      case 'assigned': case 'transferred':
        queue.hidden = true;
        if (p.agent_name) {
          state.agentName = p.agent_name;
          line(fill(d.tJoined, 'name', p.agent_name));
        }
        break;
      case 'status_changed':
        if (p.to === 'queued') refreshQueue(); else queue.hidden = true;
        if (p.to === 'resolved') line(d.tResolved);
        break;
      default: break;
    }
  }

  function showQueue(f) {
    let text = f.position > 0 ? fill(d.tQueue, 'n', f.position) : d.tQueueNext;
    text += ' ' + (f.eta_minutes != null ? fill(d.tEta, 'm', f.eta_minutes) : d.tNoEta);
    queue.textContent = text;
    queue.hidden = false;
  }

  // The queue position now (the live channel sends it when the queue moves, within 10 s).
  // Coalesced: replaying a history with several moves asks once.
  let queueTimer = null;
  function refreshQueue() {
    clearTimeout(queueTimer);
    queueTimer = setTimeout(readQueue, 300);
  }
  async function readQueue() {
    try {
      const r = await api(`/api/v1/customer/tickets/${state.chat.number}`);
      if (!r.ok) return;
      const v = await r.json();
      if (v.status === 'queued' && v.queue_position != null) {
        showQueue({ position: v.queue_position, eta_minutes: v.estimated_wait_minutes });
      }
    } catch (_) { /* the live channel brings it */ }
  }

  function showTicket() {
    $('chat-number').textContent = state.chat.number_display;
    $('chat-code').textContent = state.chat.lookup_code;
    $('chat-ticket').hidden = false;
    imageInput.disabled = false;
    voice.disabled = false;
    $('chat-tools-hint').hidden = true;
  }

  function connect() {
    if (!state.chat || state.socket) return;
    status.textContent = state.retry ? d.tReconnecting : d.tConnecting;
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${location.host}/api/v1/live`);
    state.socket = ws;
    ws.addEventListener('open', () => ws.send(JSON.stringify({ type: 'auth', lookup_code: state.chat.lookup_code })));
    ws.addEventListener('message', (m) => {
      let f;
      try { f = JSON.parse(m.data); } catch (_) { return; }
      switch (f.type) {
        case 'ready':
          ws.send(JSON.stringify({ type: 'subscribe', ticket: state.chat.number, last_seq: state.lastSeq }));
          break;
        case 'subscribed':
          state.retry = 0;
          status.textContent = '';
          root.dataset.live = 'on';
          if (f.seq > state.lastSeq) state.lastSeq = f.seq;
          break;
        case 'event':
          if (f.seq <= state.lastSeq) return; // drawn already
          state.lastSeq = f.seq;
          drawEvent(f);
          break;
        case 'queue': showQueue(f); break;
        case 'ping': ws.send(JSON.stringify({ type: 'pong' })); break;
        default: break;
      }
    });
    ws.addEventListener('close', () => {
      if (state.socket !== ws) return;
      state.socket = null;
      root.dataset.live = 'off';
      status.textContent = d.tReconnecting;
      state.retry += 1;
      setTimeout(connect, Math.min(1000 * state.retry, 10000));
    });
  }

  async function start(body) {
    const r = await fetch('/chat/start', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-kefu-csrf': d.csrf },
      body: JSON.stringify({ body, lang: d.lang }),
    });
    if (!r.ok) { showError(d.tSendFailed, await problem(r)); return false; }
    state.chat = (await r.json()).chat;
    showTicket();
    connect();
    return true;
  }

  // Messages go one at a time, in the order they were sent.
  let queueOfSends = Promise.resolve();
  function send(message) {
    const sent = queueOfSends.then(() => sendNow(message));
    queueOfSends = sent.catch(() => {});
    return sent;
  }

  async function sendNow(message) {
    showError('');
    try {
      if (!state.chat) {
        if (!message.body) return false;
        return await start(message.body);
      }
      const r = await api(`/api/v1/customer/tickets/${state.chat.number}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(message),
      });
      if (!r.ok) { showError(d.tSendFailed, await problem(r)); return false; }
      return true;
    } catch (e) {
      showError(d.tSendFailed, e.message);
      return false;
    }
  }

  async function upload(file, kind) {
    if (!state.chat) return;
    const body = new FormData();
    body.append('file', file);
    body.append('kind', kind);
    body.append('ticket', state.chat.number);
    const r = await api('/api/v1/attachments', { method: 'POST', body });
    if (!r.ok) { showError(d.tUploadFailed, await problem(r)); return; }
    const up = await r.json();
    await send({ attachments: [{ id: up.id }] });
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = input.value.trim();
    if (!body) return;
    if (await send({ body })) input.value = '';
    input.focus();
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
  });
  let lastTyping = 0;
  input.addEventListener('input', () => {
    const now = Date.now();
    if (state.socket && state.socket.readyState === 1 && now - lastTyping > 2000) {
      lastTyping = now;
      state.socket.send(JSON.stringify({ type: 'typing', ticket: state.chat.number }));
    }
  });
  $('chat-person').addEventListener('click', () => send({ body: d.tPerson }));
  imageInput.addEventListener('change', async () => {
    const file = imageInput.files[0];
    imageInput.value = '';
    if (file) await upload(file, 'image');
  });

  // Voice where the browser records a format kefu accepts (Ogg Opus, MP4/AAC).
  const voiceType = window.MediaRecorder && navigator.mediaDevices
    && ['audio/ogg;codecs=opus', 'audio/mp4'].find((t) => MediaRecorder.isTypeSupported(t));
  if (voiceType) {
    voice.hidden = false;
    let recorder = null;
    voice.addEventListener('click', async () => {
      if (recorder) { recorder.stop(); return; }
      try {
        const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
        const chunks = [];
        recorder = new MediaRecorder(stream, { mimeType: voiceType });
        recorder.addEventListener('dataavailable', (e) => chunks.push(e.data));
        recorder.addEventListener('stop', async () => {
          stream.getTracks().forEach((t) => t.stop());
          recorder = null;
          voice.textContent = d.tRecord;
          const ext = voiceType.startsWith('audio/ogg') ? 'ogg' : 'm4a';
          await upload(new File(chunks, `voice.${ext}`, { type: voiceType }), 'voice');
        });
        recorder.start();
        voice.textContent = d.tStop;
      } catch (e) { showError(d.tUploadFailed, e.message); }
    });
  }

  // In the widget's frame, Escape asks the page around it to close the panel.
  if (document.body.classList.contains('embed') && window.parent !== window) {
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') window.parent.postMessage({ kefu: 'close' }, '*');
    });
  }

  // The visitor's chat, if they have one open: its whole history comes over the channel.
  fetch('/chat/session', { headers: { accept: 'application/json' } })
    .then((r) => (r.ok ? r.json() : { chat: null }))
    .then((s) => { if (s.chat) { state.chat = s.chat; showTicket(); connect(); } })
    .catch(() => {});
})();
