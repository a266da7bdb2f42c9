/**
 * The browsers that reach boards (Web Serial, or WebUSB for CDC-ACM boards), named wherever this
 * browser cannot: the portal's Connect step, and the embed's button, which writes it out (its entry
 * imports nothing) and whose browser test holds the two equal.
 */
export const BROWSERS_THAT_WORK =
  "Chrome, Edge or Opera on a computer, Firefox 151 or later, or Chrome 148 or later on Android";
