// The offline line on the agenda pages (templates/agenda/_offline_status.html). When the page is the
// copy saved on this device (the service worker marks it <html data-offline-copy>) or the phone has
// no connection, it says so, with the time of the copy: "You are offline. Showing your agenda as of
// 10:40." The time is the page's own [data-testid=last-updated] data-generated-at, in the forum's
// time zone. A saved copy shown while online (the server was down, or the connection came back) says
// so and offers a reload.
document.addEventListener("DOMContentLoaded", () => {
  const root = document.querySelector("[data-offline-status]");
  if (!root) {
    return;
  }
  const banner = root.querySelector("[data-testid=offline-banner]");
  const text = root.querySelector("[data-offline-text]");
  const reload = root.querySelector("[data-offline-reload]");
  const lastUpdated = document.querySelector("[data-testid=last-updated]");
  const fromCache = document.documentElement.dataset.offlineCopy === "true";
  if (lastUpdated) {
    lastUpdated.after(root);  // the banner belongs next to the "Last updated" line
  }

  function copyTime() {
    const generated = lastUpdated && lastUpdated.dataset.generatedAt;
    const when = generated ? new Date(generated) : null;
    if (!when || Number.isNaN(when.getTime())) {
      return null;
    }
    try {
      return new Intl.DateTimeFormat(root.dataset.locale || undefined, {
        hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: root.dataset.timezone,
      }).format(when);
    } catch {
      // An unknown zone or locale: the line's own text already shows the time in the forum's zone.
      const shown = /\b\d{1,2}:\d{2}\b/.exec(lastUpdated.textContent);
      return shown ? shown[0] : null;
    }
  }

  function show() {
    const offline = navigator.onLine === false;
    if (offline || fromCache) {
      // Online but showing the saved copy: the server was down, or the connection has come back.
      const kind = offline ? "Offline" : "Saved";
      const time = copyTime();
      text.textContent = time ? root.dataset[`message${kind}`].replace("{time}", time)
        : root.dataset[`message${kind}Undated`];
      reload.hidden = offline;
      banner.hidden = false;
    } else {
      banner.hidden = true;
    }
  }

  reload.querySelector("button").addEventListener("click", () => window.location.reload());
  window.addEventListener("online", show);
  window.addEventListener("offline", show);
  show();
});
