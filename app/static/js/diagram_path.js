/* TIC Flow: an instance's path drawn on its diagram (bpmn-js), shared by the cockpit and the
   Tasklist's case page: finished activities and the flows taken between them, the active
   ones, the end event reached. */
(function () {
  "use strict";

  /* A flow counts as taken when its source finished and its target was reached. */
  function markPath(viewer, path) {
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    var finished = new Set(path.finished || []), active = new Set(path.active || []);
    function mark(id, marker) { if (registry.get(id)) { canvas.addMarker(id, marker); } }
    finished.forEach(function (id) { mark(id, "path-done"); });
    active.forEach(function (id) { mark(id, "path-active"); });
    if (path.end) { mark(path.end, "path-end"); }
    registry.filter(function (element) { return element.type === "bpmn:SequenceFlow"; })
      .forEach(function (flow) {
        var source = flow.businessObject.sourceRef, target = flow.businessObject.targetRef;
        if (source && target && finished.has(source.id) && (finished.has(target.id) || active.has(target.id))) {
          canvas.addMarker(flow.id, "path-flow");
        }
      });
  }

  window.TicDiagram = { markPath: markPath };
})();
