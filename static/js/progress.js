// Client progress charts (Chart.js). Data comes from the json_script element "progress-data";
// every chart has a table beside it with the same numbers.
(function () {
  "use strict";
  var source = document.getElementById("progress-data");
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var common = { responsive: true, maintainAspectRatio: false, animation: false };

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) { new Chart(canvas, config); }
  }

  draw("chart-hours", {
    type: "bar",
    data: {
      labels: data.hours.labels,
      datasets: [
        { type: "bar", label: "Hours attended", data: data.hours.hours, backgroundColor: "#3d6fa8" },
        {
          type: "line", label: "Required hours", borderColor: "#b02a37", borderDash: [6, 4], pointRadius: 0,
          data: data.hours.labels.map(function () { return data.hours.required; })
        }
      ]
    },
    options: Object.assign({}, common, { scales: { y: { beginAtZero: true, title: { display: true, text: "Hours" } } } })
  });

  draw("chart-screens", {
    type: "line",
    data: {
      labels: data.screens.labels,
      datasets: [{ label: "Screen reading", data: data.screens.values, showLine: false, pointRadius: 6, borderColor: "#3d6fa8", backgroundColor: "#3d6fa8" }]
    },
    options: Object.assign({}, common, {
      scales: { y: { type: "category", labels: data.screens.categories, reverse: false } },
      plugins: { legend: { display: false } }
    })
  });

  var palette = ["#3d6fa8", "#2f8f5b", "#b26b00", "#8a3ea8", "#b02a37", "#00808a", "#5c5c5c", "#a0522d"];
  draw("chart-goals", {
    type: "line",
    data: {
      labels: data.goals.labels,
      datasets: data.goals.series.map(function (s, i) {
        return { label: s.label, data: s.data, borderColor: palette[i % palette.length], backgroundColor: palette[i % palette.length], spanGaps: true };
      })
    },
    options: Object.assign({}, common, { scales: { y: { min: 0, max: 4, ticks: { stepSize: 1 }, title: { display: true, text: "Rating (0–4)" } } } })
  });

  draw("chart-checkins", {
    type: "line",
    data: {
      labels: data.checkins.labels,
      datasets: [
        { label: "Cravings (0–10)", data: data.checkins.cravings, borderColor: "#b26b00", backgroundColor: "#b26b00", spanGaps: true },
        { label: "PHQ-9 (0–27)", data: data.checkins.phq9, borderColor: "#3d6fa8", backgroundColor: "#3d6fa8", spanGaps: true },
        { label: "GAD-7 (0–21)", data: data.checkins.gad7, borderColor: "#8a3ea8", backgroundColor: "#8a3ea8", spanGaps: true }
      ]
    },
    options: Object.assign({}, common, { scales: { y: { beginAtZero: true } } })
  });
})();
