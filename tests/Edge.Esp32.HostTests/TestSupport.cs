extern alias converter;

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;
using Xunit;
using ConverterApi = converter::Edge.Converter.Conversion.ModelConverter;

namespace Edge.Esp32.HostTests
{
    /// <summary>
    /// Finds the repository (the folder with Edge.sln above the test binaries) and ../shared/conformance beside
    /// it. Tests that need the shared data use <see cref="SharedDataFactAttribute"/> /
    /// <see cref="SharedDataTheoryAttribute"/>, which skip with a visible message when it is missing.
    /// </summary>
    public static class Repo
    {
        private static readonly Lazy<string> _root = new Lazy<string>(() =>
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Edge.sln"))) dir = dir.Parent;
            return dir?.FullName;
        });

        public static string Root => _root.Value ?? throw new InvalidOperationException("Edge.sln not found above " + AppContext.BaseDirectory);

        /// <summary>../shared/conformance, or null when it is missing.</summary>
        public static string Conformance
        {
            get
            {
                if (_root.Value == null) return null;
                string p = Path.GetFullPath(Path.Combine(_root.Value, "..", "shared", "conformance"));
                return Directory.Exists(Path.Combine(p, "tflite")) ? p : null;
            }
        }

        public const string MissingMessage =
            "../shared/conformance not found beside the repository: ESP32 host conformance tests skipped (they need the real models and TFLite Micro's expected outputs)";

        public static string CaseDir(string name) =>
            Path.Combine(Conformance ?? throw new InvalidOperationException(MissingMessage), "tflite", name);
    }

    public sealed class SharedDataFactAttribute : FactAttribute
    {
        public SharedDataFactAttribute() { if (Repo.Conformance == null) Skip = Repo.MissingMessage; }
    }

    public sealed class SharedDataTheoryAttribute : TheoryAttribute
    {
        public SharedDataTheoryAttribute() { if (Repo.Conformance == null) Skip = Repo.MissingMessage; }
    }

    /// <summary>.tflite → .edge through the converter (extern alias <c>converter</c>), cached per case.</summary>
    public static class Models
    {
        private static readonly ConcurrentDictionary<string, Lazy<byte[]>> _cache = new ConcurrentDictionary<string, Lazy<byte[]>>();

        /// <summary>A conformance case's model.tflite converted to .edge (a fresh copy).</summary>
        public static byte[] Conformance(string caseName)
        {
            byte[] b = _cache.GetOrAdd(caseName, n => new Lazy<byte[]>(() =>
                Convert(File.ReadAllBytes(Path.Combine(Repo.CaseDir(n), "model.tflite")), "model.tflite", null))).Value;
            return (byte[])b.Clone();
        }

        /// <summary>Converts <paramref name="tflite"/>; with <paramref name="selfTestInputs"/> the file carries a self-test.</summary>
        public static byte[] Convert(byte[] tflite, string name, IReadOnlyList<byte[]> selfTestInputs) =>
            ConverterApi.Convert(tflite, name, selfTestInputs).FileBytesData;

        /// <summary>samples/sine/sine_int8.tflite (in the repository: tests using it run without ../shared).</summary>
        public static string SineTflite => Path.Combine(Repo.Root, "samples", "sine", "sine_int8.tflite");
        public static string SineInputs => Path.Combine(Repo.Root, "samples", "sine", "inputs");
    }

    /// <summary>A .npy array: dtype descr, shape and the raw little-endian data.</summary>
    public sealed class Npy
    {
        public string Descr;
        public int[] Shape;
        public byte[] Data;

        /// <summary>Minimal reader for NumPy format 1.0/2.0, C order, no pickles (what ../shared holds).</summary>
        public static Npy Read(string path)
        {
            byte[] b = File.ReadAllBytes(path);
            if (b.Length < 10 || b[0] != 0x93 || Encoding.ASCII.GetString(b, 1, 5) != "NUMPY") throw new InvalidDataException(path + ": not a .npy file");
            int major = b[6];
            int headerLen, start;
            if (major == 1) { headerLen = b[8] | (b[9] << 8); start = 10; }
            else { headerLen = BitConverter.ToInt32(b, 8); start = 12; }
            string header = Encoding.ASCII.GetString(b, start, headerLen);
            if (header.Contains("'fortran_order': True")) throw new InvalidDataException(path + ": Fortran order");
            string descr = Between(header, "'descr': '", "'");
            string shapeText = Between(header, "'shape': (", ")");
            var dims = new List<int>();
            foreach (string part in shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) dims.Add(int.Parse(part));
            int dataStart = start + headerLen;
            var data = new byte[b.Length - dataStart];
            Array.Copy(b, dataStart, data, 0, data.Length);
            return new Npy { Descr = descr, Shape = dims.ToArray(), Data = data };
        }

        private static string Between(string s, string a, string z)
        {
            int i = s.IndexOf(a, StringComparison.Ordinal);
            if (i < 0) throw new InvalidDataException("npy header lacks " + a);
            i += a.Length;
            int j = s.IndexOf(z, i, StringComparison.Ordinal);
            return s.Substring(i, j - i);
        }
    }

    /// <summary>A conformance case's input sets from manifest.json.</summary>
    public sealed class CaseInputs
    {
        public string Name;
        public string[] Inputs;
        public string[] Expected;

        public static List<CaseInputs> Load(string caseName)
        {
            string dir = Repo.CaseDir(caseName);
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")));
            var list = new List<CaseInputs>();
            foreach (var set in doc.RootElement.GetProperty("inputs").EnumerateArray())
            {
                var c = new CaseInputs { Name = set.GetProperty("name").GetString() };
                var ins = new List<string>();
                foreach (var f in set.GetProperty("files").EnumerateArray()) ins.Add(Path.Combine(dir, f.GetString()));
                var outs = new List<string>();
                foreach (var f in set.GetProperty("expected").EnumerateArray()) outs.Add(Path.Combine(dir, f.GetString()));
                c.Inputs = ins.ToArray();
                c.Expected = outs.ToArray();
                list.Add(c);
            }
            return list;
        }
    }
}
