/* Follow-up page: the winning projects on a Leaflet map, from the page's GeoJSON
 * endpoint. The table on the page lists the same projects without JavaScript. */
(function () {
  "use strict";

  var element = document.getElementById("budget-map");
  if (!element || typeof L === "undefined") {
    return;
  }

  function popup(feature) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = feature.properties.url;
    link.textContent = feature.properties.title;
    var status = document.createElement("p");
    status.textContent = feature.properties.execution_status;
    box.appendChild(link);
    box.appendChild(status);
    return box;
  }

  fetch(element.dataset.geojson, { headers: { Accept: "application/geo+json" } })
    .then(function (response) {
      return response.ok ? response.json() : Promise.reject(response.status);
    })
    .then(function (data) {
      if (!data.features.length) {
        return;
      }
      element.hidden = false;
      var map = L.map(element);
      L.tileLayer("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", {
        maxZoom: 19,
        attribution: "&copy; OpenStreetMap",
      }).addTo(map);
      var layer = L.geoJSON(data, {
        pointToLayer: function (feature, latlng) {
          var title = feature.properties.title;
          return L.marker(latlng, { title: title, alt: title }).bindPopup(popup(feature));
        },
      }).addTo(map);
      map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 15 });
    })
    .catch(function () {
      element.hidden = true;
    });
})();
