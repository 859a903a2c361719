// portwatch dashboard: live refresh. The server sends an "update" event on
// /events whenever the daemon's state changes; the page's <main> is then
// fetched again and swapped in place, keeping the scroll position, unless
// the user is typing in a form or has changed one. Without JavaScript the
// pages work the same, refreshed by hand.
(function () {
  "use strict";
  var source = document.body.getAttribute("data-events");
  if (!source || !window.EventSource || !window.fetch || !window.DOMParser) {
    return;
  }
  var status = document.getElementById("live-status");
  var dirty = false;
  var pending = false;
  var busy = false;

  document.addEventListener("input", function (e) {
    if (e.target && e.target.form) {
      dirty = true;
    }
  });
  document.addEventListener("submit", function () {
    dirty = false;
  });

  function editing() {
    var a = document.activeElement;
    if (!a || a === document.body) {
      return false;
    }
    var tag = a.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  function refresh() {
    if (busy) {
      pending = true;
      return;
    }
    if (dirty || editing()) {
      pending = true;
      return;
    }
    busy = true;
    pending = false;
    fetch(window.location.href, { credentials: "same-origin", headers: { "X-Requested-With": "portwatch-live" } })
      .then(function (resp) {
        if (!resp.ok || resp.redirected) {
          throw new Error("status " + resp.status);
        }
        return resp.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("main");
        var cur = document.getElementById("main");
        if (fresh && cur && !dirty && !editing()) {
          var x = window.scrollX, y = window.scrollY;
          cur.replaceWith(document.importNode(fresh, true));
          window.scrollTo(x, y);
          document.dispatchEvent(new CustomEvent("portwatch:refreshed"));
        }
      })
      .catch(function () { /* keep the page as it is; the next event retries */ })
      .then(function () {
        busy = false;
        if (pending) {
          window.setTimeout(refresh, 500);
        }
      });
  }

  // Refresh what was held back once the user leaves the form untouched.
  document.addEventListener("focusout", function () {
    if (pending && !dirty) {
      window.setTimeout(refresh, 300);
    }
  });

  var es = new EventSource(source);
  es.addEventListener("update", refresh);
  es.onopen = function () {
    if (status) { status.className = "live"; }
  };
  es.onerror = function () {
    if (status) { status.className = "offline"; }
  };
})();
