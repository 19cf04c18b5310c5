/* briefgen: a brief's annotation notes and its mentions' entity cards.

   Without JavaScript every note is in the list after the text and a mention is a plain link.
   With it:
   - on a wide screen (the same query as the stylesheet's) each note sits in the margin, its top
     level with the top of its passage, pushed down only as far as the note above needs;
   - hovering or focusing a passage highlights its note, and the other way round; on a narrow
     screen the passage also shows its note as a tooltip;
   - hovering a mention with a mouse, or focusing it from the keyboard, shows the entity's card
     (its card.json, beside its page): type, description, briefs and a tiny timeline. A tap on a
     phone follows the link, as before. */
(function () {
  "use strict";
  var MARGIN_QUERY = "screen and (min-width: 80rem)";
  var NOTE_GAP = 12; // px between two notes in the margin

  function each(list, fn) { Array.prototype.forEach.call(list, fn); }

  /* -- notes ------------------------------------------------------------------------------- */
  var section = document.querySelector(".brief .notes");
  var marks = document.querySelectorAll("mark.annotation[data-note]");
  var wide = window.matchMedia(MARGIN_QUERY);
  var tip = null;
  var current = null;

  function marksOf(number) { return document.querySelectorAll('mark.annotation[data-note="' + number + '"]'); }
  function noteOf(number) { return document.getElementById("note-" + number); }
  function inMargin() { return section !== null && section.classList.contains("notes--margin"); }

  function placeNotes() {
    if (!section) return;
    var notes = section.querySelectorAll(".notes__list > .note");
    var article = section.parentElement;
    if (!wide.matches) {
      section.classList.remove("notes--margin");
      each(notes, function (note) { note.style.top = ""; });
      article.style.minHeight = "";
      return;
    }
    section.classList.add("notes--margin");
    var origin = section.getBoundingClientRect().top;
    var below = 0; // where the note above ends, from the top of the notes
    each(notes, function (note) {
      var first = document.getElementById("anno-" + note.id.slice(5));
      var top = first ? first.getBoundingClientRect().top - origin : below;
      top = Math.max(Math.round(top), below);
      note.style.top = top + "px";
      below = top + note.offsetHeight + NOTE_GAP;
    });
    // The last notes may reach past the article's end: make room rather than cover what follows.
    var needed = section.offsetTop + below;
    article.style.minHeight = needed > article.offsetHeight ? needed + "px" : "";
  }

  function highlight(number, on) {
    var note = noteOf(number);
    if (note) note.classList.toggle("note--active", on);
    each(marksOf(number), function (mark) { mark.classList.toggle("annotation--active", on); });
  }

  function showTip(mark) {
    var number = mark.getAttribute("data-note");
    if (current !== null && current !== number) highlight(current, false);
    current = number;
    highlight(number, true);
    if (inMargin()) return; // the note is beside the passage already
    var note = noteOf(number);
    if (!note) return;
    if (!tip) {
      tip = document.createElement("div");
      tip.id = "annotation-tip";
      tip.setAttribute("role", "tooltip");
      tip.hidden = true;
      (document.getElementById("main") || document.body).appendChild(tip);
    }
    var kind = note.querySelector(".note__kind");
    var body = note.querySelector(".note__body");
    tip.textContent = "";
    if (kind) tip.appendChild(kind.cloneNode(true));
    if (body) tip.appendChild(body.cloneNode(true));
    tip.className = "annotation-tip " + Array.prototype.filter.call(note.classList, function (c) {
      return c.indexOf("note--") === 0 && c !== "note--active";
    }).join(" ");
    tip.hidden = false;
    var rect = mark.getBoundingClientRect();
    var left = Math.max(8, Math.min(rect.left + window.scrollX,
                                    window.scrollX + document.documentElement.clientWidth - tip.offsetWidth - 8));
    tip.style.left = left + "px";
    tip.style.top = (rect.bottom + window.scrollY + 6) + "px";
  }

  function hideTip(mark) {
    if (mark && mark.getAttribute("data-note") !== current) return;
    if (current !== null) highlight(current, false);
    if (tip) tip.hidden = true;
    current = null;
  }

  if (marks.length) {
    each(marks, function (mark) {
      mark.addEventListener("mouseenter", function () { showTip(mark); });
      mark.addEventListener("mouseleave", function () { hideTip(mark); });
      mark.addEventListener("focus", function () { showTip(mark); });
      mark.addEventListener("blur", function () { hideTip(mark); });
    });
  }
  if (section) {
    each(section.querySelectorAll(".notes__list > .note"), function (note) {
      var number = note.id.slice(5);
      note.addEventListener("mouseenter", function () { highlight(number, true); });
      note.addEventListener("mouseleave", function () { highlight(number, false); });
      note.addEventListener("focusin", function () { highlight(number, true); });
      note.addEventListener("focusout", function () { highlight(number, false); });
    });
    placeNotes();
    if (wide.addEventListener) wide.addEventListener("change", placeNotes);
    if (window.ResizeObserver) {
      var pending = false;
      new ResizeObserver(function () {
        if (pending) return;
        pending = true;
        window.requestAnimationFrame(function () { pending = false; placeNotes(); });
      }).observe(section.parentElement);
    }
    if (document.fonts && document.fonts.ready) document.fonts.ready.then(placeNotes);
  }

  /* -- entity cards ------------------------------------------------------------------------ */
  var SVG = "http://www.w3.org/2000/svg";
  var cards = {}; // card URL → a promise of its data (null when it could not be read)
  var card = null;
  var cardFor = null; // the link the card describes

  function cardData(link) {
    var url;
    try { url = new URL("card.json", link.href).href; } catch (error) { return Promise.resolve(null); }
    if (!(url in cards)) {
      cards[url] = window.fetch ? fetch(url).then(function (response) {
        return response.ok ? response.json() : null;
      }).catch(function () { return null; }) : Promise.resolve(null);
    }
    return cards[url];
  }

  function add(parent, tag, className, text) {
    var element = document.createElement(tag);
    if (className) element.className = className;
    if (text !== undefined) element.textContent = text;
    parent.appendChild(element);
    return element;
  }

  function tinyTimeline(periods) {
    var counts = periods.map(function (period) { return Number(period.count) || 0; });
    var most = Math.max.apply(null, counts.concat([1]));
    var width = 160, height = 28, slot = Math.min(width / Math.max(counts.length, 1), 12);
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    svg.setAttribute("width", String(width));
    svg.setAttribute("height", String(height));
    svg.setAttribute("class", "entity-card__timeline");
    svg.setAttribute("aria-hidden", "true");
    counts.forEach(function (count, index) {
      if (!count) return;
      var bar = document.createElementNS(SVG, "rect");
      var barHeight = Math.max(1, Math.round(count * height / most));
      bar.setAttribute("x", (index * slot + slot * 0.1).toFixed(2));
      bar.setAttribute("width", Math.max(slot * 0.8, 0.5).toFixed(2));
      bar.setAttribute("y", String(height - barHeight));
      bar.setAttribute("height", String(barHeight));
      svg.appendChild(bar);
    });
    return svg;
  }

  function fillCard(data) {
    card.textContent = "";
    add(card, "p", "entity-card__type", data.type);
    add(card, "p", "entity-card__name", data.name);
    if (data.description) add(card, "p", "entity-card__description", data.description);
    var periods = data.timeline || [];
    add(card, "p", "entity-card__count", "Named in " + data.briefs + (data.briefs === 1 ? " brief" : " briefs"));
    if (periods.length) card.appendChild(tinyTimeline(periods));
  }

  function placeCard(link) {
    var rect = link.getBoundingClientRect();
    var room = document.documentElement.clientWidth;
    var left = Math.max(8, Math.min(rect.left, room - card.offsetWidth - 8));
    // Below the link's line; above it when the window has no room below. Never over the line itself.
    var top = rect.bottom + 6;
    if (top + card.offsetHeight > window.innerHeight && rect.top - card.offsetHeight - 6 > 0) {
      top = rect.top - card.offsetHeight - 6;
    }
    card.style.left = (left + window.scrollX) + "px";
    card.style.top = (top + window.scrollY) + "px";
  }

  function showCard(link) {
    cardFor = link;
    cardData(link).then(function (data) {
      if (cardFor !== link || !data) return;
      if (!card) {
        card = document.createElement("div");
        card.id = "entity-card";
        card.className = "entity-card";
        card.setAttribute("role", "tooltip");
        (document.getElementById("main") || document.body).appendChild(card);
      }
      fillCard(data);
      card.hidden = false;
      placeCard(link);
      link.setAttribute("aria-describedby", card.id);
    });
  }

  function hideCard() {
    if (cardFor) cardFor.removeAttribute("aria-describedby");
    cardFor = null;
    if (card) card.hidden = true;
  }

  function keyboardFocus(link) {
    try { return link.matches(":focus-visible"); } catch (error) { return true; }
  }

  each(document.querySelectorAll("a.mention[data-entity]"), function (link) {
    link.addEventListener("pointerenter", function (event) { if (event.pointerType === "mouse") showCard(link); });
    link.addEventListener("pointerleave", function (event) { if (event.pointerType === "mouse") hideCard(); });
    link.addEventListener("focus", function () { if (keyboardFocus(link)) showCard(link); });
    link.addEventListener("blur", hideCard);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    hideCard();
    hideTip(null);
  });
})();
