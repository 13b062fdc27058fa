/* The org chart, enhanced: zoom and pan (Panzoom, vendored from npm) and folding the units
   under a box. Without this script the chart is a picture that scrolls inside its frame,
   and the list below it has every unit and link. */
(function () {
  "use strict";
  var viewport = document.querySelector("[data-chart-viewport]");
  var toolbar = document.querySelector("[data-chart-toolbar]");
  var svg = viewport && viewport.querySelector("svg.oc-chart");
  if (!svg || !toolbar) return;

  var GAP = 10, MID = 18, MARGIN = 16;
  var units = Array.prototype.slice.call(svg.querySelectorAll(".oc-unit"));
  var bySlug = {}, pos = {}, parents = {};
  units.forEach(function (u) {
    var m = /translate\(([-\d.]+),([-\d.]+)\)/.exec(u.getAttribute("transform"));
    bySlug[u.dataset.unit] = u;
    pos[u.dataset.unit] = { x: +m[1], y: +m[2], top: +m[2] };
    if (u.dataset.depth !== "0" && u.dataset.parent) parents[u.dataset.parent] = true;
  });
  var collapsed = {};

  function hidden(u) {
    var p = u.dataset.depth === "0" ? "" : u.dataset.parent;
    while (p) {
      if (collapsed[p]) return true;
      var up = bySlug[p];
      p = up && up.dataset.depth !== "0" ? up.dataset.parent : "";
    }
    return false;
  }

  function relayout() {
    var bottom = 0;
    units.forEach(function (u) {
      if (!u.closest(".oc-col")) bottom = Math.max(bottom, pos[u.dataset.unit].y + +u.dataset.h);
    });
    Array.prototype.forEach.call(svg.querySelectorAll(".oc-col"), function (col) {
      var boxes = col.querySelectorAll(".oc-unit");
      if (!boxes.length) return;
      var y = pos[boxes[0].dataset.unit].top;
      Array.prototype.forEach.call(boxes, function (b) {
        var slug = b.dataset.unit, hide = hidden(b);
        b.style.display = hide ? "none" : "";
        b.classList.toggle("oc-collapsed", !!(collapsed[slug] && parents[slug]));
        if (hide) return;
        pos[slug].y = y;
        b.setAttribute("transform", "translate(" + pos[slug].x + "," + y + ")");
        y += +b.dataset.h + GAP;
        bottom = Math.max(bottom, y);
      });
    });
    Array.prototype.forEach.call(svg.querySelectorAll(".oc-link[data-child]"), function (link) {
      var child = bySlug[link.dataset.child];
      if (child.style.display === "none") { link.style.display = "none"; return; }
      link.style.display = "";
      var c = pos[link.dataset.child];
      var trunk = /^M([-\d.]+),/.exec(link.getAttribute("d"))[1];
      var from = +link.dataset.from;
      if (link.dataset.kind === "nest") {
        var parent = bySlug[child.dataset.parent];
        from = pos[parent.dataset.unit].y + +parent.dataset.h;
      }
      link.setAttribute("d", "M" + trunk + "," + from + "V" + (c.y + MID) + "H" + c.x);
    });
    var width = svg.viewBox.baseVal.width, height = bottom + MARGIN;
    svg.setAttribute("height", height);
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    svg.querySelector(".oc-paper").setAttribute("height", height);
  }

  svg.addEventListener("click", function (event) {
    if (event.target.closest("a")) return;
    var unit = event.target.closest(".oc-unit");
    if (!unit || !parents[unit.dataset.unit]) return;
    collapsed[unit.dataset.unit] = !collapsed[unit.dataset.unit];
    relayout();
  });

  var zoom = null;
  if (window.Panzoom) {
    viewport.classList.add("chart-enhanced");
    zoom = window.Panzoom(svg, { origin: "0 0", minScale: 0.2, maxScale: 3, step: 0.2, canvas: true });
    viewport.addEventListener("wheel", function (event) {
      if (event.ctrlKey || event.metaKey) zoom.zoomWithWheel(event);
    });
    viewport.addEventListener("keydown", function (event) {
      var step = 60, moves = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
      if (moves[event.key]) {
        zoom.pan(moves[event.key][0], moves[event.key][1], { relative: true });
        event.preventDefault();
      } else if (event.key === "+" || event.key === "=") { zoom.zoomIn(); }
      else if (event.key === "-") { zoom.zoomOut(); }
    });
  }

  toolbar.hidden = false;
  toolbar.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-chart]");
    if (!button) return;
    var what = button.dataset.chart;
    if (what === "collapse" || what === "expand") {
      collapsed = {};
      if (what === "collapse") {
        units.forEach(function (u) { if (u.dataset.depth === "1") collapsed[u.dataset.unit] = true; });
      }
      relayout();
    } else if (zoom) {
      if (what === "zoom-in") zoom.zoomIn();
      else if (what === "zoom-out") zoom.zoomOut();
      else zoom.reset();
    }
  });
})();
