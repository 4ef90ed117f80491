// kefu console: the supervisor and admin pages' script. On every console page: a banner
// while the signed-in staff member has unacknowledged must-read policy updates. On the
// supervisor dashboard: the dashboard section is fetched again every 10 seconds (never
// while a reassign form in it is in use). On the report pages: the browser's time zone. No inline code: the CSP forbids it.
(function () {
  "use strict";
  var page = document.body.getAttribute("data-page") || "";
  function banner() {
    if (page === "policies" || !document.getElementById("main")) return;
    fetch("/console/policies/unread.json", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) {
        if (!d || !d.count) return;
        var p = document.createElement("p");
        p.id = "policy-banner";
        p.className = "notice error";
        p.setAttribute("role", "alert");
        var a = document.createElement("a");
        a.href = "/console/policies";
        a.textContent = d.text + " (" + d.count + ")";
        p.appendChild(a);
        var main = document.getElementById("main");
        main.parentNode.insertBefore(p, main);
      })
      .catch(function () {});
  }
  function busy(root) {
    var f = document.activeElement;
    return f && root.contains(f) && (f.tagName === "SELECT" || f.tagName === "BUTTON");
  }
  function localTimes(root) {
    var lang = document.documentElement.lang || undefined;
    root.querySelectorAll("time[datetime]").forEach(function (t) {
      var d = new Date(t.getAttribute("datetime"));
      if (!isNaN(d.getTime())) t.textContent = d.toLocaleString(lang, { dateStyle: "medium", timeStyle: "short" });
    });
  }
  function dashboard() {
    var root = document.getElementById("dashboard");
    if (!root) return;
    setInterval(function () {
      if (document.hidden || busy(root)) return;
      fetch("/console/supervisor/live" + location.search, { credentials: "same-origin" })
        .then(function (r) {
          if (r.status === 403) { location.reload(); return null; }
          return r.ok ? r.text() : null;
        })
        .then(function (html) {
          if (html === null || busy(root)) return;
          root.innerHTML = html;
          localTimes(root);
        })
        .catch(function () {});
    }, 10000);
  }
  // The report pages: without a time zone in the address, read the report in the
  // browser's own zone (one reload).
  function reportZone() {
    var params = new URLSearchParams(location.search);
    if (params.has("tz")) return;
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    if (!zone) return;
    params.set("tz", zone);
    location.replace(location.pathname + "?" + params.toString());
  }
  banner();
  if (page === "supervisor") dashboard();
  if (page === "reports") reportZone();
})();
