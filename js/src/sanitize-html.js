// Stand-in for the `sanitize-html` package (about 150 KB with its HTML and CSS parsers),
// which ManagerBase uses only for descriptions with `description_allow_html`. An export
// page shows such descriptions as plain text instead: everything is escaped.
const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export default function escapeAll(text) {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}
