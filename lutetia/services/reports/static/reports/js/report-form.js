/* Report form, step 1: the grouped select of problem types becomes two selects (family,
 * then sub-type); the open reports of the same type near the point are looked up as soon
 * as both are known; the address search answers in place. Without JavaScript the grouped
 * select, the search page and step 2 do the same. */
(function () {
  "use strict";

  var form = document.getElementById("report-where");
  var live = document.getElementById("nearby-live");
  if (!form || !live || !window.fetch) {
    return;
  }
  var category = document.getElementById("id_category");
  var latitude = document.getElementById("id_latitude");
  var longitude = document.getElementById("id_longitude");

  function twoLevels() {
    var groups = Array.prototype.slice.call(category.querySelectorAll("optgroup"));
    if (!groups.length) {
      return;
    }
    var placeholder = category.querySelector("option[value='']");
    var family = document.createElement("select");
    family.id = "id_family";
    var label = document.createElement("label");
    label.htmlFor = family.id;
    label.textContent = live.dataset.familyLabel;
    family.appendChild(new Option(placeholder ? placeholder.textContent : "", ""));
    groups.forEach(function (group, index) {
      family.appendChild(new Option(group.label, String(index)));
      if (group.querySelector("option:checked")) {
        family.value = String(index);
      }
    });
    var field = category.closest(".field");
    var wrapper = document.createElement("div");
    wrapper.className = "field";
    wrapper.appendChild(label);
    wrapper.appendChild(family);
    field.parentNode.insertBefore(wrapper, field);

    function showFamily() {
      var chosen = groups[parseInt(family.value, 10)];
      var selected = category.value;
      category.innerHTML = "";
      if (placeholder) {
        category.appendChild(placeholder);
      }
      if (chosen) {
        Array.prototype.forEach.call(chosen.children, function (option) {
          category.appendChild(option.cloneNode(true));
        });
      }
      category.value = chosen && chosen.querySelector("option[value='" + selected + "']") ? selected : "";
      // A refused step keeps the sub-type and its error in sight (the error summary links to it).
      field.hidden = !chosen && category.getAttribute("aria-invalid") !== "true";
    }
    // The groups leave the select; the chosen family's options are copied back in.
    groups.forEach(function (group) {
      group.remove();
    });
    family.addEventListener("change", function () {
      showFamily();
      lookUp();
    });
    showFamily();
  }

  function lookUp() {
    if (!category.value || !latitude.value || !longitude.value) {
      live.innerHTML = "";
      return;
    }
    var query = new URLSearchParams({
      category: category.value,
      latitude: latitude.value,
      longitude: longitude.value,
    });
    fetch(form.dataset.nearbyUrl + "?" + query.toString(), { headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : { reports: [] };
      })
      .then(function (data) {
        live.innerHTML = "";
        if (!data.reports.length) {
          return;
        }
        var title = document.createElement("h2");
        title.textContent = live.dataset.title;
        var list = document.createElement("ul");
        list.className = "reports-nearby";
        data.reports.forEach(function (report) {
          var item = document.createElement("li");
          var link = document.createElement("a");
          link.href = report.url;
          link.textContent = report.reference;
          item.appendChild(link);
          item.appendChild(
            document.createTextNode(
              " — " + report.distance_m + " " + live.dataset.away + " — " + report.status + " — " + report.description
            )
          );
          list.appendChild(item);
        });
        live.appendChild(title);
        live.appendChild(list);
      })
      .catch(function () {
        live.innerHTML = "";
      });
  }

  function addressSearch() {
    var search = document.getElementById("address-search");
    var results = document.getElementById("address-results");
    if (!search || !results) {
      return;
    }
    search.addEventListener("submit", function (event) {
      event.preventDefault();
      var query = new URLSearchParams({ q: search.querySelector("[name=q]").value });
      fetch(search.dataset.url + "?" + query.toString(), { headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : { places: [] };
        })
        .then(function (data) {
          results.innerHTML = "";
          var list = document.createElement("ul");
          list.className = "reports-places";
          data.places.forEach(function (place) {
            var item = document.createElement("li");
            var button = document.createElement("button");
            button.type = "button";
            button.className = "link-button";
            button.textContent = place.label;
            button.addEventListener("click", function () {
              document.getElementById("id_address").value = place.label;
              document.dispatchEvent(new CustomEvent("reports:place", { detail: place }));
            });
            item.appendChild(button);
            list.appendChild(item);
          });
          results.appendChild(list);
        });
    });
  }

  twoLevels();
  addressSearch();
  category.addEventListener("change", lookUp);
  latitude.addEventListener("change", lookUp);
  longitude.addEventListener("change", lookUp);
  lookUp();
})();
