using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using System.Text;
using Edge.Converter.Conversion;

namespace Edge.Converter.Quantization
{
    /// <summary>An 8-bit image: <see cref="Channels"/> = 1 (gray) or 3 (RGB), pixels interleaved row by row.</summary>
    public sealed class Image8
    {
        public int Width { get; init; }
        public int Height { get; init; }
        public int Channels { get; init; }
        public byte[] Pixels { get; init; }
    }

    /// <summary>
    /// Decoders for calibration images: PNG (1/2/4/8/16-bit gray, 8/16-bit gray+alpha, RGB and RGBA, 1/2/4/8-bit palette, non-interlaced;
    /// 16-bit samples keep their high byte, alpha is dropped) and binary/ASCII PGM/PPM (P5/P2/P6/P3, maxval ≤ 255).
    /// </summary>
    public static class Images
    {
        public static Image8 Read(string path)
        {
            var b = File.ReadAllBytes(path);
            try
            {
                if (b.Length >= 8 && b[0] == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') return DecodePng(b);
                if (b.Length >= 2 && b[0] == 'P' && b[1] is (byte)'2' or (byte)'3' or (byte)'5' or (byte)'6') return DecodePnm(b);
            }
            catch (Exception e) when (e is IndexOutOfRangeException or ArgumentException or InvalidDataException or EndOfStreamException or OverflowException)
            {
                throw new ConversionException($"{path}: malformed image: {e.Message}");
            }
            catch (ConversionException e) { throw new ConversionException($"{path}: {e.Message}"); }
            throw new ConversionException($"{path}: not a PNG or PGM/PPM image");
        }

        private static Image8 DecodePnm(byte[] b)
        {
            int pos = 2;
            char kind = (char)b[1];
            int Next()
            {
                while (true)
                {
                    while (pos < b.Length && char.IsWhiteSpace((char)b[pos])) pos++;
                    if (pos < b.Length && b[pos] == '#') { while (pos < b.Length && b[pos] != '\n') pos++; continue; }
                    break;
                }
                int start = pos;
                while (pos < b.Length && b[pos] >= '0' && b[pos] <= '9') pos++;
                if (start == pos) throw new ConversionException("malformed PGM/PPM header");
                return int.Parse(Encoding.ASCII.GetString(b, start, pos - start));
            }
            int w = Next(), h = Next(), maxval = Next();
            if (w <= 0 || h <= 0 || maxval <= 0 || maxval > 255) throw new ConversionException($"PGM/PPM {w}x{h} maxval {maxval} not supported (8-bit only)");
            int ch = kind is '3' or '6' ? 3 : 1;
            var px = new byte[w * h * ch];
            if (kind is '5' or '6')
            {
                pos++;   // the single whitespace after maxval
                if (b.Length - pos < px.Length) throw new ConversionException("truncated PGM/PPM data");
                Array.Copy(b, pos, px, 0, px.Length);
            }
            else for (int i = 0; i < px.Length; i++) px[i] = (byte)Next();
            if (maxval != 255) for (int i = 0; i < px.Length; i++) px[i] = (byte)Math.Min(255, (px[i] * 255 + maxval / 2) / maxval);
            return new Image8 { Width = w, Height = h, Channels = ch, Pixels = px };
        }

        private static Image8 DecodePng(byte[] b)
        {
            int pos = 8, w = 0, h = 0, depth = 0, color = -1, interlace = 0;
            byte[] palette = null;
            var idat = new MemoryStream();
            while (pos + 8 <= b.Length)
            {
                int len = BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(pos));
                string type = Encoding.ASCII.GetString(b, pos + 4, 4);
                if (len < 0 || pos + 12 + len > b.Length) throw new ConversionException("truncated PNG chunk");
                var data = b.AsSpan(pos + 8, len);
                switch (type)
                {
                    case "IHDR":
                        w = BinaryPrimitives.ReadInt32BigEndian(data); h = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                        depth = data[8]; color = data[9]; interlace = data[12];
                        break;
                    case "PLTE": palette = data.ToArray(); break;
                    case "IDAT": idat.Write(data); break;
                }
                pos += 12 + len;
                if (type == "IEND") break;
            }
            if (w <= 0 || h <= 0 || w > 1 << 15 || h > 1 << 15) throw new ConversionException("PNG has no valid IHDR");
            if (interlace != 0) throw new ConversionException("interlaced PNG is not supported");
            int samples = color switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => throw new ConversionException($"PNG color type {color} not supported") };
            bool packed = depth is 1 or 2 or 4 && color is 0 or 3;   // sub-byte gray or palette indices
            if (!(packed || depth == 8 || (depth == 16 && color != 3))) throw new ConversionException($"PNG bit depth {depth} with color type {color} not supported");
            int bpp = packed ? 1 : samples * depth / 8, stride = packed ? (w * depth + 7) / 8 : w * bpp;
            var raw = new byte[h * (stride + 1)];
            idat.Position = 0;
            using (var z = new ZLibStream(idat, CompressionMode.Decompress))
            {
                int got = 0;
                while (got < raw.Length) { int n = z.Read(raw, got, raw.Length - got); if (n == 0) throw new ConversionException("truncated PNG image data"); got += n; }
            }
            var cur = new byte[stride];
            var prev = new byte[stride];
            int outCh = color is 2 or 6 or 3 ? 3 : 1;
            var px = new byte[w * h * outCh];
            for (int y = 0; y < h; y++)
            {
                int f = raw[y * (stride + 1)];
                Array.Copy(raw, y * (stride + 1) + 1, cur, 0, stride);
                for (int i = 0; i < stride; i++)
                {
                    int a = i >= bpp ? cur[i - bpp] : 0, up = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
                    cur[i] = f switch
                    {
                        0 => cur[i],
                        1 => (byte)(cur[i] + a),
                        2 => (byte)(cur[i] + up),
                        3 => (byte)(cur[i] + (a + up) / 2),
                        4 => (byte)(cur[i] + Paeth(a, up, c)),
                        _ => throw new ConversionException($"PNG filter {f} is invalid"),
                    };
                }
                for (int x = 0; x < w; x++)
                {
                    int sub = packed ? (cur[x * depth / 8] >> (8 - depth - x * depth % 8)) & ((1 << depth) - 1) : 0;
                    if (packed && color == 0) { px[y * w + x] = (byte)(sub * 255 / ((1 << depth) - 1)); continue; }
                    if (color == 3)
                    {
                        int idx = packed ? sub : cur[x];
                        if (palette == null || 3 * idx + 2 >= palette.Length) throw new ConversionException("PNG palette index out of range");
                        for (int k = 0; k < 3; k++) px[(y * w + x) * 3 + k] = palette[3 * idx + k];
                    }
                    else
                        for (int k = 0; k < outCh; k++) px[(y * w + x) * outCh + k] = cur[x * bpp + k * (depth / 8)];   // 16-bit: the high byte
                }
                (cur, prev) = (prev, cur);
            }
            return new Image8 { Width = w, Height = h, Channels = outCh, Pixels = px };
        }

        private static int Paeth(int a, int b, int c)
        {
            int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
            return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        }
    }
}
