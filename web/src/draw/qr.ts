// QR codes made in the browser (uqr), drawn as SVG with createElementNS.
// The edit link's QR code must be made here: its key may never travel to
// the server, not even to /api/qr.

import { encode } from 'uqr';

const SVG_NS = 'http://www.w3.org/2000/svg';

export function qrCode(text: string, label: string, id: string): SVGSVGElement {
  const qr = encode(text, { ecc: 'M', border: 2 });
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('id', id);
  svg.setAttribute('class', 'qr');
  svg.setAttribute('viewBox', `0 0 ${qr.size} ${qr.size}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  svg.setAttribute('shape-rendering', 'crispEdges');
  const background = document.createElementNS(SVG_NS, 'rect');
  background.setAttribute('width', String(qr.size));
  background.setAttribute('height', String(qr.size));
  background.setAttribute('fill', '#ffffff');
  svg.appendChild(background);
  let d = '';
  qr.data.forEach((row, y) => {
    row.forEach((dark, x) => {
      if (dark) d += `M${x} ${y}h1v1h-1z`;
    });
  });
  const path = document.createElementNS(SVG_NS, 'path');
  path.setAttribute('d', d);
  path.setAttribute('fill', '#000000');
  svg.appendChild(path);
  return svg;
}
