// Renders /api/openapi.json as a readable list of operations; no outside resources.
(function () {
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function schemaText(spec, s, depth) {
    if (!s) return "";
    if (s.$ref) {
      var name = s.$ref.split("/").pop();
      if (depth > 2) return name;
      return name + " " + schemaText(spec, spec.components.schemas[name], depth + 1);
    }
    if (s.type === "object" && s.properties) {
      var parts = Object.keys(s.properties).map(function (k) {
        var p = s.properties[k];
        var t = p.$ref ? p.$ref.split("/").pop() : (Array.isArray(p.type) ? p.type.join("|") : p.type || "");
        if (p.enum) t += " (" + p.enum.join(", ") + ")";
        return "  " + k + ": " + t + (p.description ? "  — " + p.description : "");
      });
      return "{\n" + parts.join("\n") + "\n}";
    }
    return s.type || "";
  }
  fetch("/api/openapi.json").then(function (r) { return r.json(); }).then(function (spec) {
    document.getElementById("version").textContent = spec.info.version;
    document.getElementById("description").textContent = spec.info.description;
    var root = document.getElementById("paths");
    Object.keys(spec.paths).forEach(function (path) {
      Object.keys(spec.paths[path]).forEach(function (method) {
        var op = spec.paths[path][method];
        var card = el("details", "card op");
        var sum = el("summary");
        sum.appendChild(el("span", "method m-" + method, method.toUpperCase()));
        sum.appendChild(el("code", "", path));
        sum.appendChild(el("span", "muted", " " + op.summary));
        card.appendChild(sum);
        if (op.parameters) {
          var ul = el("ul");
          op.parameters.forEach(function (p) {
            ul.appendChild(el("li", "", p.name + " (" + p.in + ")" + (p.description ? ": " + p.description : "") + (p.schema && p.schema.enum ? " — " + p.schema.enum.join(", ") : "")));
          });
          card.appendChild(ul);
        }
        if (op.requestBody) {
          card.appendChild(el("h4", "", "Request body"));
          card.appendChild(el("pre", "", schemaText(spec, op.requestBody.content["application/json"].schema, 0)));
        }
        Object.keys(op.responses).forEach(function (code) {
          var r = op.responses[code];
          if (r.content && r.content["application/json"]) {
            card.appendChild(el("h4", "", "Response " + code));
            card.appendChild(el("pre", "", schemaText(spec, r.content["application/json"].schema, 0)));
          }
        });
        root.appendChild(card);
      });
    });
  });
})();
