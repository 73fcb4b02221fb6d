/* The public map of reports: markers from the GeoJSON endpoint for the visible area,
 * with the page's filters, grouped by Leaflet.markercluster. The table below the map
 * lists the same filtered reports without JavaScript. */
(function () {
  "use strict";

  var element = document.getElementById("reports-map");
  if (!element || typeof L === "undefined" || !L.markerClusterGroup || !window.fetch) {
    return;
  }
  var status = document.getElementById("reports-map-status");
  var PARIS = [48.8566, 2.3522];

  element.hidden = false;
  var map = L.map(element).setView(PARIS, 12);
  L.tileLayer("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", {
    maxZoom: 19,
    attribution: "&copy; OpenStreetMap",
  }).addTo(map);
  var clusters = L.markerClusterGroup({ chunkedLoading: true }).addTo(map);
  var pending = null;

  function popup(feature) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = feature.properties.url;
    link.textContent = feature.properties.reference + " — " + feature.properties.category;
    var text = document.createElement("p");
    text.textContent = feature.properties.status_label + " — " + feature.properties.reported;
    box.appendChild(link);
    box.appendChild(text);
    return box;
  }

  function load() {
    var bounds = map.getBounds();
    var bbox = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()]
      .map(function (value, index) {
        var limit = index % 2 ? 90 : 180;
        return Math.max(-limit, Math.min(limit, value)).toFixed(5);
      })
      .join(",");
    var query = element.dataset.query ? element.dataset.query + "&" : "";
    if (pending) {
      pending.abort();
    }
    pending = new AbortController();
    fetch(element.dataset.geojson + "?" + query + "bbox=" + bbox, {
      headers: { Accept: "application/geo+json" },
      signal: pending.signal,
    })
      .then(function (response) {
        return response.ok ? response.json() : Promise.reject(response.status);
      })
      .then(function (data) {
        clusters.clearLayers();
        clusters.addLayer(
          L.geoJSON(data, {
            pointToLayer: function (feature, latlng) {
              var title = feature.properties.reference + " — " + feature.properties.category;
              return L.marker(latlng, { title: title, alt: title }).bindPopup(popup(feature));
            },
          })
        );
        status.textContent = data.truncated ? element.dataset.truncated : "";
      })
      .catch(function (error) {
        if (error && error.name === "AbortError") {
          return;
        }
        status.textContent = element.dataset.failed;
      });
  }

  map.on("moveend", load);
  load();
})();
