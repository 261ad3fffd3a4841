// "My agenda": keep the Now/Next bar and the highlighted card true to the device clock. The server
// renders the same result for the moment of the request; this matters when the page comes from the
// offline cache hours later, or stays open on a phone through the day. Phrases come translated in the
// bar's data-t-* attributes, times pre-formatted in the forum's zone on each card.
(function () {
  "use strict";

  var bar = document.querySelector("[data-testid='now-next']");
  var list = bar && bar.querySelector("[data-role='now-list']");
  var cards = Array.prototype.slice.call(document.querySelectorAll("[data-testid='agenda-meeting']"));
  if (!bar || !list || !cards.length) { return; }

  var meetings = cards.map(function (card) {
    return {
      card: card,
      start: Date.parse(card.dataset.startsAt),
      end: Date.parse(card.dataset.endsAt),
      href: card.querySelector("a").getAttribute("href"),
    };
  }).sort(function (a, b) { return a.start - b.start; });

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : whole;
    });
  }

  // Today's date in the forum's zone (YYYY-MM-DD), to tell whether the next meeting is on another day.
  function forumToday(now) {
    try {
      return new Intl.DateTimeFormat("en-CA", {
        timeZone: bar.dataset.timezone, year: "numeric", month: "2-digit", day: "2-digit",
      }).format(now);
    } catch (error) {
      return bar.dataset.today;
    }
  }

  function item(className, text, meeting) {
    var li = document.createElement("li");
    li.className = "agenda-now-item " + className;
    var strong = document.createElement("strong");
    strong.textContent = text;
    if (!meeting) {
      li.appendChild(strong);
      return li;
    }
    var link = document.createElement("a");
    link.href = meeting.href;
    var partner = document.createElement("span");
    partner.className = "agenda-now-partner";
    partner.textContent = meeting.card.dataset.partner;
    link.appendChild(strong);
    link.appendChild(partner);
    li.appendChild(link);
    return li;
  }

  function update() {
    var now = Date.now();
    var current = null;
    var next = null;
    meetings.forEach(function (m) {
      if (!current && m.start <= now && now < m.end) { current = m; }
      if (!next && m.start > now) { next = m; }
    });
    var d = bar.dataset;
    var items = [];
    if (current) {
      items.push(item("is-now", fill(d.tNow, { table: current.card.dataset.table, until: current.card.dataset.end }),
                      current));
    }
    if (next) {
      var data = next.card.dataset;
      var otherDay = data.day !== forumToday(new Date(now));
      var text = fill(otherDay ? d.tNextDay : d.tNext, { day: data.dayLabel, start: data.start, table: data.table });
      items.push(item("is-next", text, next));
    }
    if (!current && !next) { items.push(item("is-over", d.tOver, null)); }
    list.replaceChildren.apply(list, items);

    meetings.forEach(function (m) {
      var state = m === current ? "is-now" : m === next ? "is-next" : m.end <= now ? "is-past" : "";
      m.card.classList.remove("is-now", "is-next", "is-past");
      if (state) { m.card.classList.add(state); }
      var badge = m.card.querySelector("[data-role='badge']");
      if (badge) { badge.textContent = state === "is-now" ? d.tBadgeNow : state === "is-next" ? d.tBadgeNext : ""; }
    });
  }

  update();
  window.setInterval(update, 30000);
})();
