/* TIC Flow cockpit, drawn with the bpmn-js navigated viewer:
   - a process's diagram with a badge on each activity — instances waiting there (blue), of
     them overdue (red), incidents (orange). A click on a badge lists those instances (the
     page's ?activity=); a click on a call activity opens the called process's diagram;
   - an instance's path: finished activities and the flows between them, the active ones,
     the end event reached.
   The pages' tables carry the same facts without JavaScript. */
(function () {
  "use strict";

  var KINDS = [["instances", "waiting"], ["overdue", "overdue"], ["incidents", "incident"]];

  function listUrl(container, activityId) {
    var url = new URL(container.getAttribute("data-list-url"), window.location.href);
    url.searchParams.set("activity", activityId);
    url.hash = "waiting";
    return url.toString();
  }

  function badge(container, activityId, counts) {
    var holder = document.createElement("a");
    holder.className = "cockpit-badges";
    holder.href = listUrl(container, activityId);
    holder.setAttribute("data-badge", activityId);
    KINDS.forEach(function (kind) {
      var count = counts[kind[0]];
      if (!count) { return; }
      var item = document.createElement("span");
      item.className = "cockpit-badge " + kind[1];
      item.setAttribute("data-kind", kind[0]);
      item.textContent = String(count);
      holder.appendChild(item);
    });
    return holder;
  }

  function addBadges(viewer, container, counts) {
    var registry = viewer.get("elementRegistry");
    var overlays = viewer.get("overlays");
    Object.keys(counts).forEach(function (activityId) {
      if (!registry.get(activityId)) { return; }
      overlays.add(activityId, "cockpit", {
        position: { bottom: 8, left: -6 }, html: badge(container, activityId, counts[activityId])
      });
    });
  }

  function openCalledProcesses(viewer, container) {
    viewer.get("eventBus").on("element.click", function (event) {
      var element = event.element;
      var called = element.businessObject && element.businessObject.calledElement;
      if (element.type === "bpmn:CallActivity" && called) {
        window.location.href = container.getAttribute("data-process-url")
          .replace("__KEY__", encodeURIComponent(called));
      }
    });
  }

  function draw(container, then) {
    fetch(container.getAttribute("data-xml-url"), { credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (xml) {
        var viewer = new window.BpmnJS({ container: container });
        return viewer.importXML(xml).then(function () {
          viewer.get("canvas").zoom("fit-viewport");
          then(viewer);
          container.setAttribute("data-rendered", "true");
        });
      })
      .catch(function () { container.remove(); });
  }

  function show() {
    if (!window.BpmnJS) { return; }
    var process = document.getElementById("cockpit-diagram");
    var instance = document.getElementById("instance-diagram");
    if (process) {
      draw(process, function (viewer) {
        addBadges(viewer, process, JSON.parse(process.getAttribute("data-counts") || "{}"));
        openCalledProcesses(viewer, process);
      });
    }
    if (instance) {
      draw(instance, function (viewer) {
        window.TicDiagram.markPath(viewer, JSON.parse(instance.getAttribute("data-path") || "{}"));
      });
    }
  }

  document.addEventListener("DOMContentLoaded", show);
})();
