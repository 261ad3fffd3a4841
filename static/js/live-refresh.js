// Live pages (the organizers' attendance page): every N seconds (data-live-interval on the first
// region, 20 by default) re-fetch the page and swap each [data-live="name"] region with its fresh copy.
// Without JavaScript the page has a "Refresh" link; nothing here is needed.
(function () {
  "use strict";
  var regions = Array.prototype.slice.call(document.querySelectorAll("[data-live]"));
  if (!regions.length || !window.fetch || !window.DOMParser) { return; }
  var seconds = parseInt(regions[0].getAttribute("data-live-interval"), 10) || 20;
  var busy = false;

  function focusedInside(region) {
    return document.activeElement && document.activeElement !== document.body && region.contains(document.activeElement);
  }

  function refresh() {
    // Never pull the page from under someone: not while the tab is hidden, nor the region where a control
    // has the focus (an organizer about to press a button).
    if (busy || document.hidden) { return; }
    busy = true;
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var doc = new DOMParser().parseFromString(html, "text/html");
        regions.forEach(function (region) {
          var fresh = doc.querySelector('[data-live="' + region.getAttribute("data-live") + '"]');
          if (fresh && !focusedInside(region)) { region.innerHTML = fresh.innerHTML; }
        });
      })
      .catch(function () { /* offline, or the server restarting: try again at the next tick */ })
      .then(function () { busy = false; });
  }

  window.setInterval(refresh, seconds * 1000);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { refresh(); } });
}());
