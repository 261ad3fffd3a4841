// The service worker: keeps the delegate's agenda and its meeting pages on the phone for venue Wi-Fi
// that comes and goes. Served at /sw.js by forum/agenda/offline.py, which fills in the build block
// (a version that changes with every static file, the assets to keep, the offline page).
//
// - Agenda pages (/my/agenda, /companies/<id>/agenda, /companies/<id>/agenda/<request id>): network
//   first; the copy saved last time when there is no connection or the server is down. Opening an
//   agenda online also saves the meeting pages it links to.
// - /static/ files: cache first, from a cache named after the build version; older ones are deleted.
// - Any other page: the network, or a small "you are offline" page.
// - A form sent offline: a page saying nothing was sent (posts are never saved or replayed).
// - Only 200 HTML answers to GET are saved. Logging in or out, or the server answering with the login
//   form, empties the saved pages: the next person on this phone must not see them.
"use strict";

const BUILD = /* build */ {"version": "dev", "assets": [], "offline": "/offline", "offline_form": "/offline?form=1"} /* end build */;
const ASSET_PREFIX = "forum-assets-";
const ASSET_CACHE = ASSET_PREFIX + BUILD.version;
// Not versioned: a new release must not throw away the agenda a delegate saved before losing Wi-Fi.
const PAGE_CACHE = "forum-agenda-pages";
const AGENDA_LIST = /^\/(my|companies\/\d+)\/agenda$/;
const MEETING_PAGE = /^\/companies\/\d+\/agenda\/\d+$/;
const LOGIN = "/login";
// Every form that ends one person's session or starts another's: logging out, logging in, signing up,
// and joining a company's team through an invitation.
function changesWhoIsLoggedIn(path) {
  return path === "/logout" || path === LOGIN || path === "/signup" || path.startsWith("/join/") ||
    path === "/account/logout-everywhere" || path.startsWith("/password/reset/");
}
const MAX_PREFETCH = 60;
// Pages being saved, by path, so that a page asking "am I saved?" waits for its own save to finish.
const saving = new Map();
// When each agenda last saved its meeting pages, and which: an agenda reloaded again and again does
// not fetch them all each time, unless its meetings changed. Lost when the browser stops the worker.
const PREFETCH_EVERY_MS = 2 * 60 * 1000;
const prefetched = new Map();
// Bumped when the saved pages are forgotten, so that a save still under way does not bring them back.
let generation = 0;

function isAgendaPage(path) {
  return AGENDA_LIST.test(path) || MEETING_PAGE.test(path);
}

function isHtml(response) {
  return (response.headers.get("Content-Type") || "").startsWith("text/html");
}

function sameOrigin(url) {
  return url.origin === self.location.origin;
}

function forgetPages() {
  generation += 1;
  saving.clear();
  prefetched.clear();
  return caches.delete(PAGE_CACHE);
}

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(ASSET_CACHE);
    await cache.addAll(BUILD.assets);
    // Without cookies, so the pages never name whoever was logged in when they were saved.
    for (const page of [BUILD.offline, BUILD.offline_form]) {
      const offline = await fetch(page, {credentials: "omit"});
      if (offline.ok) {
        await cache.put(page, offline);
      }
    }
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(ASSET_PREFIX) && name !== ASSET_CACHE) {
        await caches.delete(name);
      }
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (!sameOrigin(url)) {
    return;
  }
  if (request.method !== "GET") {
    // Someone logs in or out: forget the saved pages before the request even goes out.
    const forgotten = changesWhoIsLoggedIn(url.pathname)
      ? forgetPages().catch(() => false) : Promise.resolve();
    if (request.mode === "navigate") {
      // A form sent with no connection (a check-in, feedback): say that nothing was sent, instead of
      // the browser's error page. Answers to posts are never saved, and posts are never replayed.
      event.respondWith(forgotten.then(() => fetch(request)).catch(() => offlinePage(BUILD.offline_form)));
    } else {
      event.waitUntil(forgotten);
    }
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(cacheFirst(request));
  } else if (request.mode === "navigate") {
    event.respondWith(navigate(event, url));
  }
});

async function cacheFirst(request) {
  const cached = await caches.match(request, {ignoreSearch: true});
  if (cached) {
    return cached;
  }
  const response = await fetch(request);
  if (response.ok && response.type === "basic") {
    const cache = await caches.open(ASSET_CACHE);
    await cache.put(request, response.clone());
  }
  return response;
}

async function navigate(event, url) {
  let response;
  try {
    response = await fetch(event.request);
  } catch (error) {
    return savedCopy(url.pathname);
  }
  if (url.pathname === LOGIN && response.status === 200) {
    // The login form instead of a redirect home: nobody is logged in on this browser any more. Done
    // before the form shows, so that nothing of the last person is left once it is on screen.
    await forgetPages();
  } else if (isAgendaPage(url.pathname)) {
    if (response.status >= 500) {
      // The venue's server is down: yesterday's agenda beats an error page.
      const saved = await savedPage(url.pathname);
      if (saved) {
        return saved;
      }
    }
    const done = save(url.pathname, response.clone());
    saving.set(url.pathname, done);
    event.waitUntil(done.finally(() => {
      if (saving.get(url.pathname) === done) {
        saving.delete(url.pathname);
      }
    }));
  }
  return response;
}

// The saved copy of a page, marked so that offline-status.js can say it is not fresh.
async function savedPage(path) {
  const cache = await caches.open(PAGE_CACHE);
  const cached = await cache.match(path, {ignoreVary: true});
  if (!cached) {
    return null;
  }
  const html = (await cached.text()).replace(/<html\b/i, '<html data-offline-copy="true"');
  const headers = new Headers(cached.headers);
  headers.delete("Content-Length");  // the marked copy is longer than the page was
  return new Response(html, {status: cached.status, statusText: cached.statusText, headers});
}

async function savedCopy(path) {
  const saved = await savedPage(path);
  if (saved) {
    return saved;
  }
  return offlinePage(BUILD.offline);
}

async function offlinePage(page) {
  const offline = await caches.match(page, {ignoreVary: true});
  return offline || Response.error();
}

// Keeps one answer for an agenda page (and, for an agenda, the meeting pages it links to).
async function save(path, response) {
  const started = generation;
  // A redirect (opaque here: navigations do not follow them) means this person may not see the page.
  if (response.type === "opaqueredirect" || response.status === 401) {
    if (response.status === 401) {
      await forgetPages();
    } else {
      await drop(path);
    }
    return;
  }
  if (response.status === 403 || response.status === 404 || response.status === 410) {
    await drop(path);  // a meeting that was cancelled, or a page this account may no longer see
    return;
  }
  if (response.status !== 200 || response.redirected || !isHtml(response)) {
    return;
  }
  const html = AGENDA_LIST.test(path) ? await response.clone().text() : "";
  const cache = await caches.open(PAGE_CACHE);
  if (started !== generation) {
    return;
  }
  await cache.put(path, response);
  if (html) {
    await saveMeetings(cache, path, html, started);
  }
}

async function drop(path) {
  const cache = await caches.open(PAGE_CACHE);
  await cache.delete(path);
}

// Links to save with an agenda: its meeting pages, and anything marked data-offline-prefetch.
function linkedPages(html, base) {
  const paths = new Set();
  for (const match of html.matchAll(/<a\b[^>]*>/gi)) {
    const tag = match[0];
    const href = /\shref\s*=\s*"([^"]*)"/i.exec(tag);
    if (!href) {
      continue;
    }
    const target = new URL(href[1].replace(/&amp;/g, "&"), base);
    if (sameOrigin(target) && (MEETING_PAGE.test(target.pathname) || /\sdata-offline-prefetch\b/i.test(tag))) {
      paths.add(target.pathname);
    }
  }
  return [...paths].slice(0, MAX_PREFETCH);
}

async function saveMeetings(cache, agendaPath, html, started) {
  const paths = linkedPages(html, self.location.origin + agendaPath);
  const links = paths.join(" ");
  const last = prefetched.get(agendaPath);
  if (last && last.links === links && Date.now() - last.at < PREFETCH_EVERY_MS) {
    return;
  }
  // One at a time: venue Wi-Fi is slow and shared, and the agenda itself is already on screen.
  for (const path of paths) {
    let response;
    try {
      response = await fetch(path, {credentials: "same-origin"});
    } catch (error) {
      return;  // the connection went away; keep what was saved before
    }
    if (response.redirected && new URL(response.url).pathname === LOGIN) {
      await forgetPages();
      return;
    }
    if (started !== generation) {
      return;  // logged out meanwhile
    }
    if (response.status === 200 && !response.redirected && isHtml(response)) {
      await cache.put(path, response);
    } else if (response.status === 403 || response.status === 404) {
      await cache.delete(path);
    }
  }
  prefetched.set(agendaPath, {links, at: Date.now()});  // all saved: not needed again for a while
  // Meeting pages of the same companies that the agenda no longer links to: cancelled or moved away.
  const prefixes = new Set(paths.filter((path) => MEETING_PAGE.test(path))
    .map((path) => path.slice(0, path.lastIndexOf("/") + 1)));
  const agendaPrefix = agendaPath.startsWith("/companies/") ? agendaPath + "/" : null;
  if (agendaPrefix) {
    prefixes.add(agendaPrefix);
  }
  if (started !== generation) {
    return;
  }
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    const prefix = path.slice(0, path.lastIndexOf("/") + 1);
    if (MEETING_PAGE.test(path) && prefixes.has(prefix) && !paths.includes(path)) {
      await cache.delete(request);
    }
  }
}

// Messages from sw-register.js: "forget" on logout; "status" from each page, answered on its port
// with whether the page is saved (saving it first when the page loaded before this worker took over).
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "forget") {
    event.waitUntil(forgetPages());
  } else if (data.type === "status" && event.ports[0] && typeof data.path === "string") {
    event.waitUntil(status(data.path, Boolean(data.controlled)).then(
      (saved) => event.ports[0].postMessage({saved}),
      () => event.ports[0].postMessage({saved: false}),
    ));
  }
});

async function status(path, controlled) {
  if (!isAgendaPage(path)) {
    return false;
  }
  if (saving.has(path)) {
    await saving.get(path);
  } else if (!controlled) {
    // The page came straight from the network (the first visit): save it now, not on the next one.
    let response;
    try {
      response = await fetch(path, {credentials: "same-origin", redirect: "manual"});
    } catch (error) {
      return false;
    }
    await save(path, response);
  }
  const cache = await caches.open(PAGE_CACHE);
  return Boolean(await cache.match(path, {ignoreVary: true}));
}
