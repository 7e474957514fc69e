// Registry dashboard charts (ECharts). Data come from the json_script tag; no inline script (CSP).
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    var source = document.getElementById("registry-chart-data");
    if (!source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var cityEl = document.getElementById("chart-city");
    var industryEl = document.getElementById("chart-industry");
    cityEl.style.height = "360px";
    industryEl.style.height = "360px";
    var city = echarts.init(cityEl);
    city.setOption({
      tooltip: { trigger: "axis" },
      legend: { data: [data.labels.enterprises, data.labels.listed, data.labels.index] },
      xAxis: { type: "category", data: data.cities, axisLabel: { rotate: 30 } },
      yAxis: [{ type: "value" }, { type: "value", max: 100 }],
      series: [
        { name: data.labels.enterprises, type: "bar", data: data.enterprises },
        { name: data.labels.listed, type: "bar", data: data.listed },
        { name: data.labels.index, type: "line", yAxisIndex: 1, data: data.index }
      ]
    });
    var industry = echarts.init(industryEl);
    industry.setOption({
      tooltip: { trigger: "item" },
      series: [{ name: data.labels.industry, type: "pie", radius: ["35%", "70%"], data: data.industries }]
    });
    window.addEventListener("resize", function () { city.resize(); industry.resize(); });
  });
})();
