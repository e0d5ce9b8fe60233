// Draws each dashboard table as a bar chart (ECharts, served from /static/vendor). The
// figures come from the page itself (#dashboard-data), the same ones as the tables.
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || !window.echarts) { return; }
  var drawings = JSON.parse(source.textContent);
  var charts = [];

  function option(drawing) {
    var many = drawing.categories.length > 6;
    return {
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { show: drawing.series.length > 1, top: 0 },
      grid: { left: 8, right: 16, top: drawing.series.length > 1 ? 30 : 12, bottom: 8, containLabel: true },
      xAxis: many ? { type: "value", minInterval: 1 } : { type: "category", data: drawing.categories,
        axisLabel: { interval: 0, overflow: "truncate", width: 90 } },
      yAxis: many ? { type: "category", data: drawing.categories, inverse: true,
        axisLabel: { overflow: "truncate", width: 150 } } : { type: "value", minInterval: 1 },
      series: drawing.series.map(function (s) {
        return { name: s.name, type: "bar", data: s.data, barMaxWidth: 28,
          label: { show: true, position: many ? "right" : "top" } };
      })
    };
  }

  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var drawing = drawings[element.getAttribute("data-chart")];
    if (!drawing || drawing.categories.length === 0) { element.hidden = true; return; }
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(option(drawing));
    element.setAttribute("data-drawn", "true");
    charts.push(chart);
  });
  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
}());
