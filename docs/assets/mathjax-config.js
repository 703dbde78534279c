// MathJax 2.7, served from the site itself (copied in by docs/hooks.py): no network needed.
// Markdown pages hand it \(...\) and \[...\] (pymdownx.arithmatex, generic mode); notebook
// pages keep $...$ and $$...$$ in their text. tex2jax finds both.
window.MathJax = {
  tex2jax: {
    inlineMath: [["$", "$"], ["\\(", "\\)"]],
    displayMath: [["$$", "$$"], ["\\[", "\\]"]],
    processEscapes: true,
  },
  // The fonts that jupyter-server-mathjax ships.
  "HTML-CSS": { availableFonts: [], imageFont: null, preferredFont: null, webFont: "STIX-Web",
                linebreaks: { automatic: true } },  // long equations wrap instead of scrolling
  showMathMenu: false,
  messageStyle: "none",
};
