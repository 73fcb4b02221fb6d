/* Dans ma rue: a Leaflet map showing one point (a report's page: data-latitude and
 * data-longitude) or placing one (forms: data-latitude-field and data-longitude-field
 * name the inputs, which keep working typed by hand without JavaScript). "Use my
 * location" asks the browser's geolocation. Each change of the point fires a "change"
 * event on the latitude input, which report-form.js listens to. */
(function () {
  "use strict";

  var element = document.getElementById("point-map");
  if (!element || typeof L === "undefined") {
    return;
  }
  var PARIS = [48.8566, 2.3522];

  element.hidden = false;
  var map = L.map(element);
  L.tileLayer("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", {
    maxZoom: 19,
    attribution: "&copy; OpenStreetMap",
  }).addTo(map);

  if (element.dataset.latitude) {
    var shown = [parseFloat(element.dataset.latitude), parseFloat(element.dataset.longitude)];
    L.marker(shown, { keyboard: false }).addTo(map);
    map.setView(shown, 17);
    return;
  }

  var latitude = document.getElementById(element.dataset.latitudeField);
  var longitude = document.getElementById(element.dataset.longitudeField);
  var marker = null;

  function show(latlng) {
    if (marker) {
      marker.setLatLng(latlng);
    } else {
      marker = L.marker(latlng, { keyboard: false }).addTo(map);
    }
  }

  function place(lat, lng, zoom) {
    latitude.value = lat.toFixed(6);
    longitude.value = lng.toFixed(6);
    show([lat, lng]);
    if (zoom) {
      map.setView([lat, lng], zoom);
    }
    latitude.dispatchEvent(new Event("change", { bubbles: true }));
  }

  if (latitude.value && longitude.value) {
    var start = [parseFloat(latitude.value), parseFloat(longitude.value)];
    show(start);
    map.setView(start, 17);
  } else {
    map.setView(PARIS, 12);
  }
  map.on("click", function (event) {
    place(event.latlng.lat, event.latlng.lng);
  });
  [latitude, longitude].forEach(function (input) {
    input.addEventListener("input", function () {
      var lat = parseFloat(latitude.value);
      var lng = parseFloat(longitude.value);
      if (isFinite(lat) && isFinite(lng)) {
        show([lat, lng]);
        map.panTo([lat, lng]);
      }
    });
  });
  document.addEventListener("reports:place", function (event) {
    place(event.detail.lat, event.detail.lon, 17);
  });

  var locate = document.getElementById("use-my-location");
  var status = document.getElementById("locate-status");
  if (locate && "geolocation" in navigator) {
    locate.parentNode.hidden = false;
    locate.addEventListener("click", function () {
      status.textContent = locate.dataset.searching || "…";
      navigator.geolocation.getCurrentPosition(
        function (position) {
          status.textContent = "";
          place(position.coords.latitude, position.coords.longitude, 18);
        },
        function () {
          status.textContent = locate.dataset.failed || "";
        },
        { enableHighAccuracy: true, timeout: 10000 }
      );
    });
  }
})();
