/* briefgen: annotation notes on hover and keyboard focus.
   Without JavaScript the notes list at the end of the brief shows every note. */
(function () {
  "use strict";
  var marks = document.querySelectorAll("mark.annotation[data-note]");
  if (!marks.length) return;
  var tip = document.createElement("div");
  tip.className = "annotation-tip";
  tip.setAttribute("role", "tooltip");
  tip.id = "annotation-tip";
  tip.hidden = true;
  document.body.appendChild(tip);
  var current = null;

  function show(mark) {
    var note = document.getElementById("note-" + mark.getAttribute("data-note"));
    if (!note) return;
    var kind = note.querySelector(".note__kind");
    var body = note.querySelector(".note__body");
    tip.innerHTML = "";
    if (kind) tip.appendChild(kind.cloneNode(true));
    if (body) tip.appendChild(body.cloneNode(true));
    tip.className = "annotation-tip " + Array.prototype.filter.call(note.classList, function (c) {
      return c.indexOf("note--") === 0;
    }).join(" ");
    tip.hidden = false;
    var rect = mark.getBoundingClientRect();
    var left = Math.max(8, Math.min(rect.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - tip.offsetWidth - 8));
    tip.style.left = left + "px";
    tip.style.top = (rect.bottom + window.scrollY + 6) + "px";
    current = mark.getAttribute("data-note");
  }
  function hide(mark) {
    if (mark && mark.getAttribute("data-note") !== current) return;
    tip.hidden = true;
    current = null;
  }
  Array.prototype.forEach.call(marks, function (mark) {
    mark.addEventListener("mouseenter", function () { show(mark); });
    mark.addEventListener("mouseleave", function () { hide(mark); });
    mark.addEventListener("focus", function () { show(mark); });
    mark.addEventListener("blur", function () { hide(mark); });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") hide(null);
  });
})();
