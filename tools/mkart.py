#!/usr/bin/env python3
"""Draws the kiosk's image assets with the standard library only (no Pillow here):
assets/icons/{fuel,shop,invoice,card,depot}.png (256x256 service badges) and
assets/ads/{pay,points,invoice}.png (960x960 attract art, transparent background).
No text in any image: the kiosk draws all words itself, in both languages.

    python3 tools/mkart.py

Shapes are filled as horizontal spans on a canvas at twice the size, then averaged 2x2
for smooth edges.
"""
import math
import os
import struct
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def hexc(h, a=255):
    h = h.lstrip('#')
    return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16), a)


class Canvas:
    def __init__(self, w, h, ss=2):
        self.ss = ss
        self.w, self.h = w * ss, h * ss
        self.px = bytearray(self.w * self.h * 4)

    # -- primitives work in output coordinates; everything is scaled by ss
    def span(self, y, x0, x1, c):
        if y < 0 or y >= self.h:
            return
        x0 = max(0, int(round(x0)))
        x1 = min(self.w, int(round(x1)))
        if x1 <= x0:
            return
        o = (y * self.w + x0) * 4
        if c[3] == 255:
            self.px[o:o + (x1 - x0) * 4] = bytes(c) * (x1 - x0)
        else:
            a = c[3] / 255.0
            for i in range(o, o + (x1 - x0) * 4, 4):
                da = self.px[i + 3] / 255.0
                oa = a + da * (1 - a)
                for k in range(3):
                    self.px[i + k] = int((c[k] * a + self.px[i + k] * da * (1 - a)) / oa) if oa else 0
                self.px[i + 3] = int(oa * 255)

    def poly(self, pts, c):
        s = self.ss
        pts = [(x * s, y * s) for x, y in pts]
        ys = [p[1] for p in pts]
        for y in range(max(0, int(min(ys))), min(self.h, int(max(ys)) + 1)):
            yc = y + 0.5
            xs = []
            n = len(pts)
            for i in range(n):
                (x0, y0), (x1, y1) = pts[i], pts[(i + 1) % n]
                if (y0 <= yc < y1) or (y1 <= yc < y0):
                    xs.append(x0 + (yc - y0) * (x1 - x0) / (y1 - y0))
            xs.sort()
            for i in range(0, len(xs) - 1, 2):
                self.span(y, xs[i], xs[i + 1], c)

    def ellipse(self, cx, cy, rx, ry, c):
        s = self.ss
        cx, cy, rx, ry = cx * s, cy * s, rx * s, ry * s
        for y in range(max(0, int(cy - ry)), min(self.h, int(cy + ry) + 1)):
            dy = (y + 0.5 - cy) / ry
            if abs(dy) > 1:
                continue
            dx = rx * math.sqrt(1 - dy * dy)
            self.span(y, cx - dx, cx + dx, c)

    def circle(self, cx, cy, r, c):
        self.ellipse(cx, cy, r, r, c)

    def ring(self, cx, cy, r, width, c, a0=0, a1=360):
        pts_out, pts_in = [], []
        steps = 90
        for i in range(steps + 1):
            a = math.radians(a0 + (a1 - a0) * i / steps)
            pts_out.append((cx + r * math.cos(a), cy + r * math.sin(a)))
            pts_in.append((cx + (r - width) * math.cos(a), cy + (r - width) * math.sin(a)))
        if a1 - a0 >= 360:
            # full ring: draw as two half rings to keep the polygon simple
            self.ring(cx, cy, r, width, c, 0, 180)
            self.ring(cx, cy, r, width, c, 180, 360)
            return
        self.poly(pts_out + pts_in[::-1], c)

    def rrect(self, x, y, w, h, r, c):
        s = self.ss
        x, y, w, h, r = x * s, y * s, w * s, h * s, min(r * s, w * s / 2, h * s / 2)
        for yy in range(max(0, int(y)), min(self.h, int(y + h))):
            yc = yy + 0.5
            inset = 0
            if yc < y + r:
                d = y + r - yc
                inset = r - math.sqrt(max(0, r * r - d * d))
            elif yc > y + h - r:
                d = yc - (y + h - r)
                inset = r - math.sqrt(max(0, r * r - d * d))
            self.span(yy, x + inset, x + w - inset, c)

    def rect(self, x, y, w, h, c):
        self.rrect(x, y, w, h, 0, c)

    def line(self, pts, width, c):
        """Thick polyline with round joints."""
        for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
            dx, dy = x1 - x0, y1 - y0
            l = math.hypot(dx, dy) or 1
            nx, ny = -dy / l * width / 2, dx / l * width / 2
            self.poly([(x0 + nx, y0 + ny), (x1 + nx, y1 + ny), (x1 - nx, y1 - ny), (x0 - nx, y0 - ny)], c)
        for x, y in pts:
            self.circle(x, y, width / 2, c)

    def star(self, cx, cy, r, c):
        pts = []
        for i in range(10):
            a = math.radians(-90 + i * 36)
            rr = r if i % 2 == 0 else r * 0.45
            pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
        self.poly(pts, c)

    def save(self, path):
        s = self.ss
        W, H = self.w // s, self.h // s
        rows = []
        src = self.px
        sw = self.w * 4
        for y in range(H):
            row = bytearray(1 + W * 4)
            base = y * s * sw
            for x in range(W):
                acc = [0, 0, 0, 0]
                for sy in range(s):
                    o = base + sy * sw + x * s * 4
                    for sx in range(s):
                        a = src[o + 3]
                        acc[0] += src[o] * a
                        acc[1] += src[o + 1] * a
                        acc[2] += src[o + 2] * a
                        acc[3] += a
                        o += 4
                d = 1 + x * 4
                if acc[3]:
                    row[d] = acc[0] // acc[3]
                    row[d + 1] = acc[1] // acc[3]
                    row[d + 2] = acc[2] // acc[3]
                row[d + 3] = acc[3] // (s * s)
            rows.append(bytes(row))
        raw = b''.join(rows)

        def chunk(t, d):
            return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)

        data = (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', W, H, 8, 6, 0, 0, 0)) +
                chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b''))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'wb') as f:
            f.write(data)


WHITE = hexc('#FFFFFF')


def badge(col):
    c = Canvas(256, 256)
    c.rrect(8, 8, 240, 240, 56, col)
    return c


def icon_fuel(path):
    col = hexc('#0B5FD6')
    c = badge(col)
    c.rrect(62, 52, 92, 156, 12, WHITE)            # pump body
    c.rrect(76, 68, 64, 44, 6, col)                # display
    c.rect(54, 196, 108, 16, WHITE)                # base
    c.line([(154, 86), (184, 86), (196, 104), (196, 168), (182, 182), (170, 168), (170, 130)], 10, WHITE)  # hose
    c.poly([(160, 120), (182, 120), (186, 136), (156, 136)], WHITE)  # nozzle
    c.save(path)


def icon_shop(path):
    col = hexc('#E8590C')
    c = badge(col)
    c.ring(128, 104, 40, 12, WHITE, 180, 360)      # handle
    c.rect(76, 102, 12, 10, WHITE)
    c.rect(168, 102, 12, 10, WHITE)
    c.poly([(58, 108), (198, 108), (188, 206), (68, 206)], WHITE)  # bag
    c.circle(100, 132, 7, col)
    c.circle(156, 132, 7, col)
    c.save(path)


def icon_invoice(path):
    col = hexc('#0E9384')
    c = badge(col)
    c.poly([(64, 44), (160, 44), (196, 80), (196, 212), (64, 212)], WHITE)
    c.poly([(160, 44), (160, 80), (196, 80)], hexc('#B7E4DE'))
    for y in (92, 116, 140):
        c.rrect(84, y, 88, 10, 5, col)
    for (x, y) in ((84, 164), (104, 164), (84, 184), (124, 184), (104, 176)):
        c.rect(x, y, 14, 14, col)
    c.save(path)


def icon_card(path):
    col = hexc('#7A5AF8')
    c = badge(col)
    c.rrect(40, 68, 176, 120, 16, WHITE)
    c.rrect(60, 96, 40, 32, 6, hexc('#F5B400'))
    c.rect(62, 110, 36, 3, col)
    c.rrect(60, 152, 64, 10, 5, col)
    c.rrect(132, 152, 40, 10, 5, col)
    c.save(path)


def icon_depot(path):
    col = hexc('#067647')
    c = badge(col)
    c.rrect(32, 88, 132, 70, 35, WHITE)            # tank
    c.rect(70, 84, 30, 8, WHITE)                   # hatch
    c.poly([(170, 104), (206, 104), (224, 132), (224, 166), (170, 166)], WHITE)  # cab
    c.poly([(180, 112), (202, 112), (214, 132), (180, 132)], col)             # window
    c.rect(32, 156, 192, 12, WHITE)                # chassis
    for x in (66, 110, 196):
        c.circle(x, 178, 20, WHITE)
        c.circle(x, 178, 9, col)
    c.save(path)


def mix(a, b, t):
    return tuple(int(a[i] + (b[i] - a[i]) * t) for i in range(3)) + (255,)


def ad_pay(path):
    bg = hexc('#0A2A5E')
    c = Canvas(960, 960)
    c.circle(700, 250, 210, mix(bg, hexc('#1F5FBF'), 0.55))
    c.circle(230, 760, 150, mix(bg, hexc('#1F5FBF'), 0.35))
    c.circle(820, 800, 70, mix(bg, hexc('#F5A623'), 0.8))
    # phone
    c.rrect(250, 150, 400, 700, 56, hexc('#E6ECF5'))
    c.rrect(274, 214, 352, 560, 20, WHITE)
    c.rrect(405, 176, 90, 14, 7, hexc('#9AA8BC'))
    # QR on the screen
    qx, qy, m = 310, 330, 14
    import random
    rnd = random.Random(7)
    ink = hexc('#0A2A5E')
    for yy in range(20):
        for xx in range(20):
            if rnd.random() < 0.45:
                c.rect(qx + xx * m, qy + yy * m, m, m, ink)
    for fx, fy in ((0, 0), (13, 0), (0, 13)):
        c.rect(qx + fx * m, qy + fy * m, 7 * m, 7 * m, ink)
        c.rect(qx + (fx + 1) * m, qy + (fy + 1) * m, 5 * m, 5 * m, WHITE)
        c.rect(qx + (fx + 2) * m, qy + (fy + 2) * m, 3 * m, 3 * m, ink)
    c.rrect(330, 640, 240, 60, 30, hexc('#07C160'))
    # fuel nozzle
    amber = hexc('#F5A623')
    c.line([(760, 560), (760, 720), (700, 800), (610, 860)], 26, hexc('#2B2F36'))
    c.poly([(700, 430), (840, 430), (860, 470), (860, 580), (700, 580)], amber)
    c.poly([(700, 450), (610, 480), (600, 510), (700, 500)], amber)
    c.rrect(730, 590, 60, 24, 10, hexc('#C7CDD6'))
    c.circle(590, 560, 16, hexc('#7CC4FF'))
    c.save(path)


def ad_points(path):
    bg = hexc('#064E3B')
    c = Canvas(960, 960)
    c.circle(480, 470, 380, mix(bg, hexc('#10B981'), 0.35))
    gold, gold_dark, gold_edge = hexc('#FBBF24'), hexc('#D97706'), hexc('#F59E0B')
    # coin stacks
    for sx, n in ((250, 6), (410, 9)):
        for i in range(n):
            y = 760 - i * 36
            c.ellipse(sx, y + 14, 110, 40, gold_dark)
            c.rect(sx - 110, y, 220, 14, gold_dark)
            c.ellipse(sx, y, 110, 40, gold)
        top = 760 - (n - 1) * 36
        c.ellipse(sx, top, 80, 26, gold_edge)
    # gift box
    red, red_dark = hexc('#EF4444'), hexc('#B91C1C')
    c.rrect(560, 480, 300, 290, 18, red)
    c.rrect(540, 420, 340, 90, 18, red_dark)
    c.rect(690, 420, 40, 350, gold)
    c.ellipse(660, 392, 60, 34, gold)
    c.ellipse(760, 392, 60, 34, gold)
    c.circle(710, 410, 22, gold_edge)
    # stars
    for (x, y, r) in ((180, 260, 46), (760, 220, 60), (560, 150, 30), (860, 360, 26)):
        c.star(x, y, r, hexc('#FDE68A'))
    c.save(path)


def ad_invoice(path):
    bg = hexc('#7A2E0E')
    c = Canvas(960, 960)
    c.circle(620, 420, 330, mix(bg, hexc('#F97316'), 0.35))
    # receipt with zigzag bottom
    pts = [(170, 120), (560, 120), (560, 780)]
    x = 560
    up = True
    while x > 170:
        x -= 39
        pts.append((max(170, x), 780 if not up else 808))
        up = not up
    pts.append((170, 780))
    c.poly(pts, WHITE)
    ink = hexc('#C2410C')
    c.rrect(220, 180, 220, 28, 14, ink)
    for i, w in enumerate((290, 250, 290, 210, 270)):
        c.rrect(220, 250 + i * 56, w, 18, 9, hexc('#FED7AA'))
    c.rrect(220, 560, 290, 4, 2, hexc('#FED7AA'))
    c.rrect(380, 600, 130, 36, 18, ink)
    # check mark badge
    c.circle(560, 700, 150, hexc('#16A34A'))
    c.line([(490, 700), (545, 755), (640, 640)], 36, WHITE)
    # phone
    c.rrect(660, 300, 220, 400, 34, hexc('#FFEDD5'))
    c.rrect(678, 344, 184, 300, 12, WHITE)
    for i in range(4):
        c.rrect(700, 370 + i * 60, 140, 22, 11, hexc('#FDBA74'))
    c.save(path)


def art_paycode(path):
    """A phone showing a payment code, held over the scanner window below the screen."""
    c = Canvas(512, 512)
    blue, ink = hexc('#0B5FD6'), hexc('#101828')
    c.rrect(156, 20, 200, 330, 30, hexc('#D0D5DD'))      # phone
    c.rrect(170, 52, 172, 266, 12, WHITE)                # screen
    c.rrect(226, 30, 60, 8, 4, hexc('#98A2B3'))
    for i, w in enumerate((3, 1, 2, 1, 3, 2, 1, 1, 3, 1, 2, 3, 1, 2, 1, 3)):   # barcode
        x = 184 + sum((3, 1, 2, 1, 3, 2, 1, 1, 3, 1, 2, 3, 1, 2, 1, 3)[:i]) * 4 + i * 2
        c.rect(x, 72, w * 3, 64, ink)
    m = 9                                                # a QR-like block
    import random
    rnd = random.Random(3)
    for yy in range(13):
        for xx in range(13):
            if rnd.random() < 0.5:
                c.rect(197 + xx * m, 156 + yy * m, m, m, ink)
    for fx, fy in ((0, 0), (8, 0), (0, 8)):
        c.rect(197 + fx * m, 156 + fy * m, 5 * m, 5 * m, ink)
        c.rect(197 + (fx + 1) * m, 156 + (fy + 1) * m, 3 * m, 3 * m, WHITE)
        c.rect(197 + (fx + 2) * m, 156 + (fy + 2) * m, m, m, ink)
    c.poly([(236, 364), (276, 364), (276, 404), (300, 404), (256, 448), (212, 404), (236, 404)], blue)  # arrow
    c.rrect(136, 458, 240, 40, 20, hexc('#344054'))      # scanner window
    c.rrect(156, 470, 200, 16, 8, hexc('#F04438'))       # its red light
    c.save(path)


def main():
    jobs = [
        (icon_fuel, 'assets/icons/fuel.png'), (icon_shop, 'assets/icons/shop.png'),
        (icon_invoice, 'assets/icons/invoice.png'), (icon_card, 'assets/icons/card.png'),
        (icon_depot, 'assets/icons/depot.png'), (ad_pay, 'assets/ads/pay.png'),
        (ad_points, 'assets/ads/points.png'), (ad_invoice, 'assets/ads/invoice.png'),
        (art_paycode, 'assets/icons/paycode.png'),
    ]
    for fn, rel in jobs:
        fn(os.path.join(ROOT, rel))
        print(rel)


if __name__ == '__main__':
    main()
