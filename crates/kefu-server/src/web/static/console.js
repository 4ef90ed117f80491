// kefu staff console: SLA countdowns, times in the viewer's time zone, the live channel
// (GET /api/v1/live, signed in by the session cookie), the desk's lists kept fresh, a badge
// in the title with an optional sound and desktop notification, one-click inserts into the
// reply box and the keyboard shortcuts. Every text from a user goes in as text, never HTML.
// Without this script every page still works (forms post, links navigate).
(function () {
  "use strict";
  var lang = document.documentElement.lang || "zh-CN";
  var page = document.body.getAttribute("data-page") || "";
  var baseTitle = document.title;
  var unseen = 0;

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined && text !== null) n.textContent = text;
    return n;
  }
  function localTime(iso) {
    var d = new Date(iso);
    return isNaN(d.getTime()) ? iso : d.toLocaleString(lang, { dateStyle: "medium", timeStyle: "short" });
  }
  function localTimes(root) {
    (root || document).querySelectorAll("time[datetime]").forEach(function (t) {
      t.textContent = localTime(t.getAttribute("datetime"));
      t.title = t.getAttribute("datetime");
    });
  }

  // --- SLA countdowns -------------------------------------------------------------------
  function left(ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    var two = function (x) { return (x < 10 ? "0" : "") + x; };
    return (h ? h + ":" + two(m) : m) + ":" + two(sec);
  }
  function tick() {
    var breached = ($("desk") || document.body).getAttribute("data-breached") || "breached";
    document.querySelectorAll(".sla[data-due]").forEach(function (s) {
      var due = new Date(s.getAttribute("data-due")).getTime();
      if (isNaN(due)) return;
      var ms = due - Date.now();
      var out = s.querySelector(".left");
      if (!out) { out = el("span", "left"); s.appendChild(document.createTextNode(" ")); s.appendChild(out); }
      out.textContent = ms >= 0 ? left(ms) : breached + " +" + left(ms);
      s.classList.toggle("breached", ms < 0);
      s.classList.toggle("soon", ms >= 0 && ms < 15 * 60 * 1000);
    });
  }

  // --- Attention: title badge, sound, notification ---------------------------------------
  function badge() { document.title = unseen ? "(" + unseen + ") " + baseTitle : baseTitle; }
  function beep() {
    var box = $("sound");
    if (!box || !box.checked || !window.AudioContext) return;
    try {
      var ctx = new AudioContext(), o = ctx.createOscillator(), g = ctx.createGain();
      o.frequency.value = 880; g.gain.value = 0.08;
      o.connect(g); g.connect(ctx.destination); o.start(); o.stop(ctx.currentTime + 0.15);
    } catch (e) { /* no sound */ }
  }
  function attention(text) {
    unseen += 1; badge(); beep();
    var status = $("live-status");
    if (status) status.textContent = (status.getAttribute("data-new") || "") + ": " + text;
    if (window.Notification && Notification.permission === "granted" && document.hidden) {
      try { new Notification(baseTitle, { body: text }); } catch (e) { /* ignored */ }
    }
  }
  function seen() { if (!document.hidden) { unseen = 0; badge(); } }
  document.addEventListener("visibilitychange", seen);
  window.addEventListener("focus", seen);
  function setupAttention() {
    var sound = $("sound");
    if (sound) {
      sound.checked = localStorage.getItem("kefu.sound") === "1";
      sound.addEventListener("change", function () { localStorage.setItem("kefu.sound", sound.checked ? "1" : "0"); });
    }
    var notify = $("enable-notify");
    if (notify) {
      if (!window.Notification || Notification.permission !== "default") notify.hidden = true;
      notify.addEventListener("click", function () {
        Notification.requestPermission().then(function () { notify.hidden = true; });
      });
    }
    var presence = $("presence");
    if (presence) {
      presence.addEventListener("change", function () { presence.form.submit(); });
    }
  }

  // --- The desk's lists -----------------------------------------------------------------
  var known = null;
  function row(r, fresh) {
    var li = el("li", "trow" + (fresh ? " fresh" : ""));
    li.setAttribute("data-number", r.number);
    var a = el("a", "tlink"); a.href = r.href;
    a.appendChild(el("span", "number", r.number_display));
    a.appendChild(document.createTextNode(" "));
    a.appendChild(el("span", "subject", r.subject));
    li.appendChild(a);
    var tags = el("span", "tags");
    tags.appendChild(el("span", "badge status-" + r.status, r.status_label || r.status));
    tags.appendChild(el("span", "badge prio-" + r.priority, r.priority_label || r.priority));
    if (r.due) {
      var s = el("span", "sla"); s.setAttribute("data-due", r.due); s.setAttribute("data-clock", r.clock || "");
      var t = el("time", null, r.due); t.setAttribute("datetime", r.due); s.appendChild(t);
      tags.appendChild(s);
    }
    li.appendChild(tags);
    return li;
  }
  function fill(id, rows, fresh) {
    var list = $(id);
    if (!list) return;
    list.textContent = "";
    if (!rows.length) list.appendChild(el("li", "empty", list.getAttribute("data-empty")));
    rows.forEach(function (r) { list.appendChild(row(r, fresh[r.number])); });
    var count = $(id + "-count");
    if (count) count.textContent = rows.length;
  }
  function numbersOnPage() {
    var out = [];
    document.querySelectorAll("[data-number]").forEach(function (n) { out.push(n.getAttribute("data-number")); });
    var t = document.querySelector("[data-ticket]");
    if (t) out.push(t.getAttribute("data-ticket"));
    return out;
  }
  function refreshDesk() {
    if (page !== "desk") return;
    fetch("/console/desk.json", { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) {
        if (r.status === 403) { location.reload(); return null; }
        return r.ok ? r.json() : null;
      })
      .then(function (d) {
        if (!d) return;
        var all = d.mine.concat(d.queue), fresh = {}, added = [];
        if (known) all.forEach(function (r) { if (!known[r.number]) { fresh[r.number] = true; added.push(r); } });
        known = {};
        all.forEach(function (r) { known[r.number] = true; });
        fill("mine", d.mine, fresh);
        fill("queue", d.queue, fresh);
        localTimes($("desk")); tick();
        added.forEach(function (r) { attention(r.number_display + " " + r.subject); });
        live.follow(numbersOnPage());
      })
      .catch(function () { /* next round */ });
  }

  // --- The live channel -----------------------------------------------------------------
  var live = {
    ws: null, seq: {}, followed: {}, backoff: 1000,
    open: function () {
      var status = $("live-status");
      if (!status) return;
      var proto = location.protocol === "https:" ? "wss://" : "ws://";
      var ws = new WebSocket(proto + location.host + "/api/v1/live");
      live.ws = ws; live.followed = {};
      ws.onmessage = function (m) {
        var f; try { f = JSON.parse(m.data); } catch (e) { return; }
        live.on(f);
      };
      ws.onclose = function () {
        status.textContent = status.getAttribute("data-off"); status.classList.add("off");
        live.ws = null;
        setTimeout(live.open, live.backoff);
        live.backoff = Math.min(live.backoff * 2, 30000);
      };
    },
    send: function (f) { if (live.ws && live.ws.readyState === 1) live.ws.send(JSON.stringify(f)); },
    follow: function (numbers) {
      numbers.forEach(function (n) {
        if (live.followed[n]) return;
        live.followed[n] = true;
        var f = { type: "subscribe", ticket: n };
        if (live.seq[n] !== undefined) f.last_seq = live.seq[n];
        live.send(f);
      });
    },
    on: function (f) {
      var status = $("live-status");
      if (f.type === "ready") {
        status.textContent = status.getAttribute("data-on"); status.classList.remove("off");
        live.backoff = 1000;
        live.follow(numbersOnPage());
      } else if (f.type === "ping") {
        live.send({ type: "pong" });
      } else if (f.type === "subscribed") {
        live.seq[f.ticket] = f.seq;
      } else if (f.type === "unsubscribed") {
        delete live.followed[f.ticket];
        if (f.reason === "moved") notLive(f.ticket);
        refreshDesk();
      } else if (f.type === "error" && f.ticket) {
        // Refused (any staff may read any ticket; only its followers get it live).
        notLive(f.ticket);
      } else if (f.type === "event") {
        if (live.seq[f.ticket] !== undefined && f.seq <= live.seq[f.ticket]) return;
        live.seq[f.ticket] = f.seq;
        onEvent(f);
      }
    }
  };

  // The open ticket view is no longer live for this reader: say so instead of going stale.
  function notLive(ticket) {
    var here = document.querySelector("[data-ticket]");
    var note = $("ticket-not-live");
    if (note && here && here.getAttribute("data-ticket") === ticket) note.hidden = false;
  }
  function onEvent(f) {
    var m = f.payload && f.payload.message;
    if (page === "desk") {
      refreshDesk();
      if (m && m.kind === "customer") attention(m.body.slice(0, 80));
      return;
    }
    var conv = $("conversation");
    var here = document.querySelector("[data-ticket]");
    if (!here || here.getAttribute("data-ticket") !== f.ticket) return;
    if (m && conv && !document.querySelector('[data-message="' + m.id + '"]')) {
      conv.appendChild(message(m));
      if (m.kind === "customer") attention(m.body.slice(0, 80));
    } else if (!m) {
      var note = $("ticket-changed");
      if (note) note.hidden = false;
    }
  }
  function message(m) {
    var conv = $("conversation");
    var labels = conv ? JSON.parse(conv.getAttribute("data-labels") || "{}") : {};
    var cls = { customer: "customer", bot: "bot", agent: "agent", internal_note: "note", system: "system", survey: "system" }[m.kind] || "system";
    var li = el("li", "msg " + cls);
    li.setAttribute("data-message", m.id);
    var meta = el("div", "meta");
    meta.appendChild(el("span", "who", labels[m.kind] || m.kind));
    meta.appendChild(document.createTextNode(" "));
    var t = el("time", null, localTime(m.created_at)); t.setAttribute("datetime", m.created_at);
    meta.appendChild(t);
    li.appendChild(meta);
    li.appendChild(el("div", "body", m.body));
    return li;
  }

  // --- The ticket view: inserts and shortcuts -------------------------------------------
  function insertInto(id, text) {
    var box = $(id);
    if (!box) return;
    var start = box.selectionStart || 0, end = box.selectionEnd || 0, v = box.value;
    box.value = v.slice(0, start) + text + v.slice(end);
    box.focus();
    box.selectionStart = box.selectionEnd = start + text.length;
  }
  function setupInserts() {
    document.querySelectorAll("[data-insert]").forEach(function (b) {
      b.addEventListener("click", function () {
        var src = $(b.getAttribute("data-insert"));
        if (src) insertInto(b.getAttribute("data-target") || "reply-body", src.textContent);
      });
    });
  }
  function typing(e) {
    var t = e.target;
    return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
  }
  function go(selector) {
    var n = document.querySelector(selector);
    if (n && n.href) location.href = n.href;
  }
  function focusIn(id) {
    var n = $(id);
    if (!n) return;
    var d = n.closest("details");
    if (d) d.open = true;
    n.scrollIntoView({ block: "center" });
    n.focus();
  }
  function setupShortcuts() {
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && typing(e)) { e.target.blur(); return; }
      if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) return;
      var k = e.key;
      var act = {
        r: function () { focusIn("reply-body"); },
        n: function () { focusIn("note-body"); },
        e: function () { focusIn("escalate-reason"); },
        p: function () { var b = $("pending-submit"); if (b) b.click(); },
        s: function () { var b = $("resolve-submit"); if (b) b.click(); },
        j: function () { go(page === "desk" ? "#mine .tlink" : "#next-ticket"); },
        q: function () { if (page === "desk") go("#queue .tlink"); },
        k: function () { go("#prev-ticket"); },
        g: function () { location.href = "/console"; }
      }[k];
      if (act) { e.preventDefault(); act(); }
    });
  }

  function start() {
    localTimes();
    tick();
    setInterval(tick, 1000);
    setupAttention();
    setupInserts();
    if (page === "ticket" || page === "desk") setupShortcuts();
    if (page !== "login") live.open();
    if (page === "desk") { refreshDesk(); setInterval(refreshDesk, 5000); }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
