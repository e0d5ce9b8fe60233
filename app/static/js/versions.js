/* TIC Flow modeler, a process's versions: the two versions compared, side by side in the
   bpmn-js navigated viewer. On the newer one, added elements are marked green and changed
   ones amber; on the older one, removed elements red and changed ones amber. A click on an
   entry of the lists below selects the element on its diagram and brings it into view.
   The lists carry the same facts without JavaScript. */
(function () {
  "use strict";

  var MARKS = {
    newer: [["added", "diff-added"], ["changed", "diff-changed"]],
    older: [["removed", "diff-removed"], ["changed", "diff-changed"]]
  };

  function draw(container, marks, markers) {
    return fetch(container.getAttribute("data-xml-url"), { credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (xml) {
        var viewer = new window.BpmnJS({ container: container });
        return viewer.importXML(xml).then(function () {
          var canvas = viewer.get("canvas"), registry = viewer.get("elementRegistry");
          marks.forEach(function (mark) {
            (markers[mark[0]] || []).forEach(function (id) {
              if (registry.get(id)) { canvas.addMarker(id, mark[1]); }
            });
          });
          canvas.zoom("fit-viewport");
          container.setAttribute("data-rendered", "true");
          return viewer;
        });
      });
  }

  /* Select the element and centre the view on it, at a readable zoom. */
  function focus(viewer, id) {
    var element = viewer.get("elementRegistry").get(id);
    if (!element) { return; }
    var canvas = viewer.get("canvas");
    viewer.get("selection").select(element);
    canvas.zoom(1);
    canvas.scrollToElement(element);
  }

  function show() {
    var holder = document.getElementById("diff-diagrams");
    if (!holder || !window.BpmnJS) { return; }
    var markers = JSON.parse(holder.getAttribute("data-markers") || "{}");
    var viewers = {};
    ["older", "newer"].forEach(function (side) {
      var container = document.getElementById("diff-" + side);
      viewers[side] = draw(container, MARKS[side], markers).catch(function () { container.remove(); });
    });
    document.querySelectorAll(".diff-entry").forEach(function (entry) {
      entry.addEventListener("click", function (event) {
        event.preventDefault();
        var side = entry.getAttribute("data-side");
        viewers[side].then(function (viewer) {
          if (!viewer) { return; }
          focus(viewer, entry.getAttribute("data-element-id"));
          document.getElementById("diff-" + side).scrollIntoView({ block: "nearest" });
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", show);
})();
