// Icon path data (24×24, drawn as filled shapes in the current colour).

export const ICONS = {
  plus: ['M11 5h2v6h6v2h-6v6h-2v-6H5v-2h6z'],
  minus: ['M5 11h14v2H5z'],
  home: ['M12 3 2 12h3v8h6v-6h2v6h6v-8h3z'],
  fullscreen: ['M4 4h6v2H6v4H4zM14 4h6v6h-2V6h-4zM4 14h2v4h4v2H4zM18 14h2v6h-6v-2h4z'],
  locate: [
    'M12 8a4 4 0 1 1 0 8 4 4 0 0 1 0-8zM11 1h2v3.06A8 8 0 0 1 19.94 11H23v2h-3.06A8 8 0 0 1 13 19.94V23h-2v-3.06A8 8 0 0 1 4.06 13H1v-2h3.06A8 8 0 0 1 11 4.06zm1 5a6 6 0 1 0 0 12 6 6 0 0 0 0-12z',
  ],
  ruler: ['M2 15 15 2l7 7L9 22zm3 0 4 4 1.5-1.5-2-2 1-1 2 2L13 15l-2-2 1-1 2 2 1.5-1.5-2-2 1-1 2 2L19 9l-4-4z'],
  area: ['M3 5 9 3l12 4-2 12-14 2zm2 1.5.1 12.2 12.1-1.7 1.6-9.6-9.7-3.3z'],
  share: [
    'M18 16a3 3 0 0 0-2.4 1.2l-6.7-3.4a3 3 0 0 0 0-1.6l6.7-3.4A3 3 0 1 0 15 7a3 3 0 0 0 .1.8L8.4 11.2a3 3 0 1 0 0 3.6l6.7 3.4A3 3 0 1 0 18 16z',
  ],
  embed: ['M8.6 16.6 4 12l4.6-4.6L7.2 6l-6 6 6 6zm6.8 0L20 12l-4.6-4.6L16.8 6l6 6-6 6z'],
  layers: ['m12 2 10 6-10 6L2 8zm-7.6 9.2L12 16l7.6-4.8L22 12.7 12 19 2 12.7z', 'm4.4 15.2 7.6 4.8 7.6-4.8 2.4 1.5L12 23 2 16.7z'],
  close: ['M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4-5.6-5.6L6.4 19 5 17.6 10.6 12 5 6.4z'],
  info: ['M12 2a10 10 0 1 1 0 20 10 10 0 0 1 0-20zm0 2a8 8 0 1 0 0 16 8 8 0 0 0 0-16zm-1 6h2v7h-2zm0-3h2v2h-2z'],
  search: ['M10 3a7 7 0 0 1 5.6 11.2l5.1 5.1-1.4 1.4-5.1-5.1A7 7 0 1 1 10 3zm0 2a5 5 0 1 0 0 10 5 5 0 0 0 0-10z'],
  copy: ['M8 3h11v13h-2V5H8zM4 7h11v14H4zm2 2v10h7V9z'],
  external: ['M14 3h7v7h-2V6.4l-8.3 8.3-1.4-1.4L17.6 5H14zM5 5h6v2H6v11h11v-5h2v7H4V5z'],
  // Drawing (draw/): the panel, its tools and actions.
  pencil: ['M3 21v-4L15 5l4 4L7 21zM16.5 3.5 18 2l4 4-1.5 1.5z'],
  cursor: ['M5 2l14 11h-6.5l3.8 7.2-2.6 1.3-3.7-7.2L5 19z'],
  pin: ['M12 2a7 7 0 0 1 7 7c0 5-7 13-7 13S5 14 5 9a7 7 0 0 1 7-7zm0 4a3 3 0 1 0 0 6 3 3 0 1 0 0-6z'],
  line: ['M2 20.6 20.6 2 22 3.4 3.4 22z'],
  polygon: ['M12 2l10 7.3L18.2 21H5.8L2 9.3zm0 2.5L4.3 10l3 9.1h9.4l3-9.1z'],
  circle: ['M12 2a10 10 0 1 1 0 20 10 10 0 0 1 0-20zm0 2a8 8 0 1 0 0 16 8 8 0 0 0 0-16z'],
  rectangle: ['M3 5h18v14H3zm2 2v10h14V7z'],
  text: ['M4 4h16v4h-2V6h-5v12h2v2H9v-2h2V6H6v2H4z'],
  undo: ['M8 5 2 10l6 5v-3.5h7a4 4 0 0 1 0 8h-3v2h3a6 6 0 0 0 0-12H8z'],
  redo: ['M16 5l6 5-6 5v-3.5H9a4 4 0 0 0 0 8h3v2H9a6 6 0 0 1 0-12h7z'],
  trash: ['M9 3h6v2h5v2H4V5h5zM6 8h12l-1 13H7zm3 2v9h2v-9zm4 0v9h2v-9z'],
  upload: ['M11 16V7.8L7.4 11.4 6 10l6-6 6 6-1.4 1.4L13 7.8V16zM4 18h16v2H4z'],
  download: ['M11 4h2v8.2l3.6-3.6L18 10l-6 6-6-6 1.4-1.4 3.6 3.6zM4 18h16v2H4z'],
  flag: ['M5 3h2v18H5zm3 1h11l-2 4 2 4H8z'],
  // Accounts ("Mein NUMIS"): the header's account link, saving a view.
  person: ['M12 3a4.5 4.5 0 1 1 0 9 4.5 4.5 0 0 1 0-9zm0 10.5c4.7 0 8.5 2.3 8.5 5.5V21h-17v-2c0-3.2 3.8-5.5 8.5-5.5z'],
  bookmark: ['M6 2h12v20l-6-4.5L6 22zm2 2v14l4-3 4 3V4z'],
  zoomTo: ['M10 3a7 7 0 0 1 5.6 11.2l5.1 5.1-1.4 1.4-5.1-5.1A7 7 0 1 1 10 3zm0 2a5 5 0 1 0 0 10 5 5 0 0 0 0-10zm-1 2h2v2h2v2h-2v2H9v-2H7V9h2z'],
} as const;
