// Registers the service worker (/sw.js) that keeps "My agenda" on this device for use without a
// connection, tells it to forget the saved pages when someone logs out, and asks it whether the current
// page is saved, saving it first on the visit that installed the worker. The answer is
// <html data-offline-saved="true"> and a "forum:offline-saved" event (the browser test waits for it).
// Without service workers (or JavaScript) the site works as before, online only.
(() => {
  if (!("serviceWorker" in navigator)) {
    return;
  }
  const container = navigator.serviceWorker;
  // Whether this page came through the worker; a first visit comes straight from the network.
  const controlled = Boolean(container.controller);
  let active = null;

  // After the page has loaded: installing the worker downloads the assets, which must not compete
  // with the page itself on a slow connection.
  window.addEventListener("load", () => {
    container.register("/sw.js", {scope: "/"}).catch(() => {
      // Private windows and some browsers refuse workers: the site simply stays online-only.
    });
    container.ready.then((registration) => {
      active = registration.active;
      askStatus(registration.active);
    });
  });
  // A new release's worker took over while the page was open (a deploy): the old one may be gone
  // before it answered, so ask the new one.
  container.addEventListener("controllerchange", () => {
    active = container.controller;
    askStatus(container.controller);
  });

  // The logout button: the worker also sees the POST when it controls the page, but a page loaded
  // before the worker took over is not seen, so say it in a message as well.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) {
      return;
    }
    const path = new URL(form.action, window.location.href).pathname;
    const worker = container.controller || active;
    // the same forms as changesWhoIsLoggedIn() in sw.js
    const session = path === "/logout" || path === "/login" || path === "/signup" || path.startsWith("/join/") ||
      path === "/account/logout-everywhere" || path.startsWith("/password/reset/");
    if (session && worker) {
      worker.postMessage({type: "forget"});
    }
  });

  function askStatus(worker) {
    if (!worker) {
      return;
    }
    const channel = new MessageChannel();
    channel.port1.onmessage = (event) => {
      if (event.data && event.data.saved) {
        document.documentElement.dataset.offlineSaved = "true";
        document.dispatchEvent(new CustomEvent("forum:offline-saved"));
      }
    };
    worker.postMessage({type: "status", path: window.location.pathname, controlled}, [channel.port2]);
  }
})();
