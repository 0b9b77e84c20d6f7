using System;
using System.Globalization;
using System.IO;
using System.Text;
using Edge.Runtime;

namespace Edge.Converter.Cli
{
    /// <summary>A NumPy .npy array: dtype, shape and the raw little-endian C-order bytes.</summary>
    public sealed class NpyArray
    {
        public DType DType { get; init; }
        public int[] Shape { get; init; } = Array.Empty<int>();
        public byte[] Data { get; init; } = Array.Empty<byte>();
        public long ElementCount { get { long n = 1; foreach (var d in Shape) n *= d; return n; } }
    }

    /// <summary>Bad .npy input: the CLI reports the message and exits 2.</summary>
    public sealed class NpyFormatException : Exception
    {
        public NpyFormatException(string message) : base(message) { }
    }

    /// <summary>Reads and writes NumPy .npy files (format 1.0/2.0/3.0, little-endian, C order, no pickles).</summary>
    public static class Npy
    {
        private static readonly byte[] Magic = { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' };

        public static string Descr(DType t) => t switch
        {
            DType.Int8 => "|i1",
            DType.UInt8 => "|u1",
            DType.Int16 => "<i2",
            DType.Int32 => "<i4",
            DType.Float32 => "<f4",
            DType.UInt32 => "<u4",
            DType.UInt64 => "<u8",
            _ => throw new ArgumentOutOfRangeException(nameof(t)),
        };

        private static DType ParseDescr(string d, string file) => d switch
        {
            "|i1" or "<i1" or "i1" => DType.Int8,
            "|u1" or "<u1" or "u1" => DType.UInt8,
            "<i2" => DType.Int16,
            "<i4" => DType.Int32,
            "<f4" => DType.Float32,
            "<u4" => DType.UInt32,
            "<u8" => DType.UInt64,
            _ => throw new NpyFormatException($"{file}: unsupported dtype '{d}' (supported: int8, uint8, int16, int32, uint32, uint64, float32, little-endian)"),
        };

        public static NpyArray Read(string path)
        {
            byte[] bytes;
            try { bytes = File.ReadAllBytes(path); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new NpyFormatException($"{path}: cannot read: {e.Message}");
            }
            return Parse(bytes, path);
        }

        public static NpyArray Parse(byte[] b, string name = "input")
        {
            if (b.Length < 10 || !b.AsSpan(0, 6).SequenceEqual(Magic))
                throw new NpyFormatException($"{name}: not a .npy file (missing \\x93NUMPY magic)");
            int major = b[6];
            int headerLen, headerStart;
            if (major == 1) { headerLen = b[8] | (b[9] << 8); headerStart = 10; }
            else if (major == 2 || major == 3)
            {
                if (b.Length < 12) throw new NpyFormatException($"{name}: truncated .npy header");
                headerLen = BitConverter.ToInt32(b, 8); headerStart = 12;
            }
            else throw new NpyFormatException($"{name}: unsupported .npy format version {major}");
            if (headerLen < 0 || headerStart + headerLen > b.Length)
                throw new NpyFormatException($"{name}: truncated .npy header");
            string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(b, headerStart, headerLen);
            string descr = HeaderValue(header, "descr", name).Trim().Trim('\'', '"');
            string fortran = HeaderValue(header, "fortran_order", name).Trim();
            string shapeText = HeaderValue(header, "shape", name).Trim();
            if (fortran != "False") throw new NpyFormatException($"{name}: Fortran-order arrays are not supported");
            var dtype = ParseDescr(descr, name);
            if (!shapeText.StartsWith('(') || !shapeText.EndsWith(')'))
                throw new NpyFormatException($"{name}: malformed shape '{shapeText}'");
            var parts = shapeText[1..^1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var shape = new int[parts.Length];
            long count = 1;
            for (int i = 0; i < parts.Length; i++)
            {
                if (!int.TryParse(parts[i].TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out shape[i]))
                    throw new NpyFormatException($"{name}: malformed shape '{shapeText}'");
                count *= shape[i];
                if (count > int.MaxValue) throw new NpyFormatException($"{name}: array too large");
            }
            long need = count * TensorInfo.ElementSize(dtype);
            int dataStart = headerStart + headerLen;
            long have = b.Length - dataStart;
            if (have < need)
                throw new NpyFormatException($"{name}: truncated: shape ({string.Join(", ", shape)}) of {Descr(dtype)} needs {need} data bytes, file has {have}");
            if (have > need)
                throw new NpyFormatException($"{name}: {have - need} unexpected bytes after the array data");
            return new NpyArray { DType = dtype, Shape = shape, Data = b.AsSpan(dataStart, (int)need).ToArray() };
        }

        private static string HeaderValue(string header, string key, string name)
        {
            int k = header.IndexOf("'" + key + "'", StringComparison.Ordinal);
            if (k < 0) k = header.IndexOf("\"" + key + "\"", StringComparison.Ordinal);
            if (k < 0) throw new NpyFormatException($"{name}: .npy header has no '{key}'");
            int colon = header.IndexOf(':', k);
            if (colon < 0) throw new NpyFormatException($"{name}: malformed .npy header");
            int i = colon + 1;
            while (i < header.Length && header[i] == ' ') i++;
            int start = i;
            if (i < header.Length && header[i] == '(')
            {
                int close = header.IndexOf(')', i);
                if (close < 0) throw new NpyFormatException($"{name}: malformed .npy header");
                return header.Substring(start, close - start + 1);
            }
            while (i < header.Length && header[i] != ',' && header[i] != '}') i++;
            return header.Substring(start, i - start);
        }

        public static byte[] Serialize(DType dtype, int[] shape, byte[] data)
        {
            string shapeText = shape.Length == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";
            string dict = $"{{'descr': '{Descr(dtype)}', 'fortran_order': False, 'shape': {shapeText}, }}";
            int total = 10 + dict.Length + 1;
            int pad = (64 - total % 64) % 64;
            string header = dict + new string(' ', pad) + "\n";
            var ms = new MemoryStream();
            ms.Write(Magic);
            ms.WriteByte(1); ms.WriteByte(0);
            ms.WriteByte((byte)(header.Length & 0xFF)); ms.WriteByte((byte)(header.Length >> 8));
            ms.Write(Encoding.ASCII.GetBytes(header));
            ms.Write(data);
            return ms.ToArray();
        }

        public static void Write(string path, DType dtype, int[] shape, byte[] data) =>
            File.WriteAllBytes(path, Serialize(dtype, shape, data));
    }
}
