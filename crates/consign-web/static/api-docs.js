// Renders /api/openapi.json as a readable list of operations; no outside resources.
(function () {
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  // The alternatives of a schema that is one of several (an empty query value, null, …),
  // without the blank-text alternative every optional query parameter has.
  function alternatives(s) {
    var all = s.anyOf || s.oneOf;
    if (!all) return null;
    return all.filter(function (x) { return !(x.type === "string" && x.pattern && !x.enum && /^\^\[/.test(x.pattern) && /\]\*\$$/.test(x.pattern)); });
  }
  // A one-line description of a schema: its type, the values it takes, its bounds.
  function typeText(spec, p) {
    if (!p) return "";
    if (p.$ref) return p.$ref.split("/").pop();
    var alts = alternatives(p);
    if (alts) {
      return alts.map(function (a) { return typeText(spec, a); }).filter(function (t) { return t; }).join(" | ");
    }
    if (p.allOf) return p.allOf.map(function (a) { return typeText(spec, a); }).join(" & ");
    var t = Array.isArray(p.type) ? p.type.join("|") : p.type || "";
    if (p.type === "array" || (Array.isArray(p.type) && p.type.indexOf("array") >= 0)) {
      t = "[" + typeText(spec, p.items) + "]" + (Array.isArray(p.type) && p.type.indexOf("null") >= 0 ? "|null" : "");
    }
    if (p.enum) t += " (" + p.enum.filter(function (v) { return v !== null; }).join(", ") + ")";
    if (p.format) t += " " + p.format;
    if (p.minimum !== undefined && p.maximum !== undefined && p.maximum < 1e15) t += " " + p.minimum + "–" + p.maximum;
    if (p.pattern && !p.enum) t += " /" + p.pattern + "/";
    return t;
  }
  function schemaText(spec, s, depth) {
    if (!s) return "";
    if (s.$ref) {
      var name = s.$ref.split("/").pop();
      if (depth > 2) return name;
      return name + " " + schemaText(spec, spec.components.schemas[name], depth + 1);
    }
    var alts = s.oneOf || s.anyOf;
    if (alts) {
      return alts.map(function (a) { return schemaText(spec, a, depth + 1); }).join("\n  or\n");
    }
    if (s.allOf) {
      return s.allOf.map(function (a) { return schemaText(spec, a, depth + 1); }).join("\n  and\n");
    }
    if (s.properties) {
      var required = s.required || [];
      var parts = Object.keys(s.properties).map(function (k) {
        var p = s.properties[k];
        var mark = required.indexOf(k) >= 0 ? " *" : "";
        return "  " + k + mark + ": " + typeText(spec, p) + (p.description ? "  — " + p.description.replace(/\s+/g, " ") : "");
      });
      return "{\n" + parts.join("\n") + "\n}";
    }
    return typeText(spec, s);
  }
  function body(spec, content) {
    var types = Object.keys(content || {});
    return types.map(function (t) {
      var s = content[t].schema;
      return (types.length > 1 || t !== "application/json" ? t + ": " : "") + schemaText(spec, s, 0);
    }).join("\n");
  }
  fetch("/api/openapi.json").then(function (r) { return r.json(); }).then(function (spec) {
    document.getElementById("version").textContent = spec.info.version;
    document.getElementById("description").textContent = spec.info.description;
    var root = document.getElementById("paths");
    // The operations grouped by their tag (customers, shipments, service …).
    var groups = {};
    Object.keys(spec.paths).forEach(function (path) {
      Object.keys(spec.paths[path]).forEach(function (method) {
        var tag = (spec.paths[path][method].tags || ["api"])[0];
        (groups[tag] = groups[tag] || []).push([path, method]);
      });
    });
    Object.keys(groups).sort().forEach(function (tag) {
      root.appendChild(el("h2", "", tag));
      groups[tag].forEach(function (pm) {
        var path = pm[0], method = pm[1];
        var op = spec.paths[path][method];
        var card = el("details", "card op");
        var sum = el("summary");
        sum.appendChild(el("span", "method m-" + method, method.toUpperCase()));
        sum.appendChild(el("code", "", path));
        sum.appendChild(el("span", "muted", " " + (op.summary || "")));
        card.appendChild(sum);
        if (op.description) card.appendChild(el("p", "", op.description));
        if (op.parameters) {
          var ul = el("ul");
          op.parameters.forEach(function (p) {
            ul.appendChild(el("li", "", p.name + " (" + p.in + (p.required ? ", required" : "") + "): " + typeText(spec, p.schema) + (p.description ? " — " + p.description : "")));
          });
          card.appendChild(ul);
        }
        if (op.requestBody) {
          card.appendChild(el("h4", "", "Request body"));
          card.appendChild(el("pre", "", body(spec, op.requestBody.content)));
        }
        Object.keys(op.responses).forEach(function (code) {
          var r = op.responses[code];
          if (r.$ref) return;
          card.appendChild(el("h4", "", "Response " + code + (r.description ? " — " + r.description : "")));
          if (r.content) card.appendChild(el("pre", "", body(spec, r.content)));
        });
        root.appendChild(card);
      });
    });
  });
})();
