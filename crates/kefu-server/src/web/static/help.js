// kefu help center: the bot answers the search box as you type (GET /api/v1/help/search),
// and times are shown in the reader's time zone. Everything user-written goes in as text,
// never as HTML. Without this script the pages still work (the search is a form GET).
(function () {
  "use strict";

  function localTimes() {
    var lang = document.documentElement.lang || "zh-CN";
    document.querySelectorAll("time[datetime]").forEach(function (el) {
      var d = new Date(el.getAttribute("datetime"));
      if (!isNaN(d.getTime())) {
        el.textContent = d.toLocaleString(lang, { dateStyle: "medium", timeStyle: "short" });
      }
    });
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function searchAsYouType() {
    var input = document.getElementById("q");
    var box = document.getElementById("live-results");
    if (!input || !box) return;
    var lang = box.getAttribute("data-lang") || "zh-CN";
    var timer = null;
    var asked = 0;

    function show(items, query) {
      box.textContent = "";
      if (!query) return;
      if (!items.length) {
        var none = el("p", "hint", box.getAttribute("data-none") + " ");
        var chat = el("a", null, box.getAttribute("data-chat"));
        chat.href = "/chat";
        none.appendChild(chat);
        box.appendChild(none);
        return;
      }
      var list = el("ol");
      items.forEach(function (item, i) {
        var li = el("li", "live-result");
        var a = el("a", null, item.question);
        a.href = item.url;
        li.appendChild(a);
        // The best match is answered in place; the others are links.
        if (i === 0) li.appendChild(el("p", "answer", item.answer));
        list.appendChild(li);
      });
      box.appendChild(list);
    }

    function ask() {
      var query = input.value.trim();
      var mine = ++asked;
      if (!query) { show([], ""); return; }
      var url = "/api/v1/help/search?lang=" + encodeURIComponent(lang) + "&q=" + encodeURIComponent(query);
      fetch(url, { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (body) { if (mine === asked) show(body.items || [], query); })
        .catch(function () { /* the form still works */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 200);
    });
    if (input.value.trim() && !document.getElementById("results")) ask();
  }

  function start() { localTimes(); searchAsYouType(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
