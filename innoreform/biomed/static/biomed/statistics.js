// Special-goods statistics charts (data from the json_script element; no inline script: strict CSP).
(function () {
  function bar(el, labels, series, horizontal) {
    var chart = window.echarts.init(el);
    var category = { type: "category", data: labels, axisLabel: { interval: 0, width: 110, overflow: "truncate" } };
    var value = { type: "value", minInterval: 1 };
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: horizontal ? 120 : 48, right: 16, top: 32, bottom: 32 },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      series: series
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function draw() {
    var data = document.getElementById("biomed-chart-data");
    if (!data || !window.echarts) return;
    var d = JSON.parse(data.textContent);
    var level = document.getElementById("biomed-level-chart");
    if (level) {
      bar(level, d.levels, [
        { name: d.names.hours, type: "bar", data: d.hours },
        { name: d.names.approved, type: "bar", data: d.approved }
      ], false);
    }
    var volume = document.getElementById("biomed-volume-chart");
    if (volume) {
      bar(volume, d.categories.concat(d.ports), [
        { name: d.names.batches, type: "bar", data: d.category_batches.concat(d.port_batches) }
      ], true);
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
