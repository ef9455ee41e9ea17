// Goals tab: the week-by-week chart (share of rated goals on track, mean rating).
(function () {
  "use strict";
  var dataEl = document.getElementById("goals-chart-data");
  var canvas = document.getElementById("goals-chart");
  if (!dataEl || !canvas || typeof Chart === "undefined") { return; }
  var rows = JSON.parse(dataEl.textContent);
  new Chart(canvas, {
    type: "line",
    data: {
      labels: rows.map(function (r) { return r.week; }),
      datasets: [
        {
          label: "Goals on track (%)",
          data: rows.map(function (r) { return r.on_track; }),
          borderColor: "#198754",
          backgroundColor: "#198754",
          yAxisID: "share",
          spanGaps: true
        },
        {
          label: "Mean rating (0–4)",
          data: rows.map(function (r) { return r.mean; }),
          borderColor: "#0d6efd",
          backgroundColor: "#0d6efd",
          borderDash: [6, 4],
          yAxisID: "rating",
          spanGaps: true
        }
      ]
    },
    options: {
      maintainAspectRatio: false,
      animation: false,
      scales: {
        share: { type: "linear", position: "left", min: 0, max: 100, title: { display: true, text: "% on track" } },
        rating: { type: "linear", position: "right", min: 0, max: 4, grid: { drawOnChartArea: false },
                  title: { display: true, text: "mean rating" } }
      }
    }
  });
})();
