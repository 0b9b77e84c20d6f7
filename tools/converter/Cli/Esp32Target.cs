using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Runtime;

namespace Edge.Converter.Cli
{
    /// <summary>
    /// <c>edge inspect --target esp32 M.edge [--json]</c>: will this model fit in an ESP32's managed heap when
    /// it runs on .NET nanoFramework (targets/esp32)?
    ///
    /// What lives on the nanoFramework heap while the app runs:
    ///   * the .edge file: one byte[] (the app copies the embedded resource into RAM; constants are read in place);
    ///   * the arena: one byte[] of <see cref="EdgeModel.ArenaBytes"/>;
    ///   * every object the loader keeps: EdgeModel, TensorInfo per tensor with its shape/scale/zero-point
    ///     arrays, one OpKernel per op with its parameter objects and int[] multipliers, shifts and folded
    ///     biases, strings (tensor names, metadata), the Interpreter. These are counted by walking the object
    ///     graph of the model as this runtime actually loaded it (reference kernels), so the count follows the
    ///     code rather than a hand-kept list.
    ///
    /// nanoFramework heap sizes (nf-interpreter, src/CLR/Include/nanoCLR_Runtime__HeapBlock.h and
    /// src/CLR/Core/CLR_RT_HeapBlock_String.cpp / Execution.cpp), 32-bit ESP32:
    ///   * every allocation is a whole number of 12-byte CLR_RT_HeapBlock units;
    ///   * a class instance = 1 header block + 1 block per instance field (a field is one 12-byte heap block
    ///     whatever its type) → 12 × (1 + fields);
    ///   * an array = CLR_RT_HeapBlock_Array header (12 + 8 = 20 bytes) + length × element size (1 for
    ///     byte/sbyte/bool, 2 for short/char, 4 for int/float, 8 for long/double, 12 for references),
    ///     rounded up to 12;
    ///   * a string created at run time = 12-byte header + UTF-8 bytes + NUL, rounded up to 12.
    /// Not counted: code and metadata (they execute in place from flash), the app's own few objects
    /// (sensor driver, window: well under 1 KB for typical windows), thread stacks, and transient garbage
    /// during Load (temporary path strings and arrays; a GC runs before the loop).
    /// </summary>
    public static class Esp32Target
    {
        /// <summary>Bytes of one nanoFramework CLR_RT_HeapBlock on a 32-bit MCU.</summary>
        public const int HeapBlockBytes = 12;
        /// <summary>sizeof(CLR_RT_HeapBlock_Array): a heap block + element count (4) + type, size, flags, pad (4).</summary>
        public const int ArrayHeaderBytes = 20;

        /// <summary>ESP32-WROOM (no PSRAM): managed heap usable by the app, assumed ≈ 110 KiB.</summary>
        public const long WroomHeapBytes = 110 * 1024;
        /// <summary>
        /// ESP32-WROVER (4 MiB of PSRAM mapped): nanoFramework places the managed heap in PSRAM; assumed
        /// largest free block 4 MiB − 512 KiB left to ESP-IDF (Wi-Fi/BT/lwIP buffers, tasks) = 3.5 MiB.
        /// </summary>
        public const long WroverHeapBytes = 4L * 1024 * 1024 - 512 * 1024;

        public sealed class Variant
        {
            public string Name;
            public string Description;
            public long HeapBytes;
            public bool Fits;
            /// <summary>Heap left after the model (negative = missing).</summary>
            public long Margin;
        }

        public sealed class Estimate
        {
            public long FileBytes;
            public long ArenaBytes;
            /// <summary>Heap bytes of the file's and the arena's byte[] including their array headers.</summary>
            public long FileArrayBytes, ArenaArrayBytes;
            public int Objects, Arrays, Strings;
            public long ObjectBytes, ArrayBytes, StringBytes;
            /// <summary>Interpreter-side managed objects (everything but the file and arena arrays).</summary>
            public long OverheadBytes => ObjectBytes + ArrayBytes + StringBytes;
            public long TotalBytes => FileArrayBytes + ArenaArrayBytes + OverheadBytes;
            /// <summary>The largest single allocation (normally the file's byte[]): it needs one free block.</summary>
            public long LargestAllocation;
            public List<Variant> Variants = new List<Variant>();
        }

        /// <summary>Bytes of a class instance with <paramref name="fields"/> instance fields.</summary>
        public static long ObjectSize(int fields) => (long)HeapBlockBytes * (1 + fields);

        /// <summary>Bytes of an array of <paramref name="length"/> elements of <paramref name="elementBytes"/> each.</summary>
        public static long ArraySize(long length, int elementBytes) => RoundUp(ArrayHeaderBytes + length * elementBytes);

        /// <summary>Bytes of a run-time string whose UTF-8 form is <paramref name="utf8Bytes"/> long.</summary>
        public static long StringSize(int utf8Bytes) => RoundUp(HeapBlockBytes + utf8Bytes + 1);

        private static long RoundUp(long bytes) => (bytes + HeapBlockBytes - 1) / HeapBlockBytes * HeapBlockBytes;

        /// <summary>Counts what the model needs on an ESP32's nanoFramework heap.</summary>
        /// <param name="fileBytes">Size of the .edge file (held in RAM as one byte[]).</param>
        public static Estimate EstimateFor(EdgeModel m, long fileBytes)
        {
            if (m == null) throw new ArgumentNullException(nameof(m));
            // nanoFramework runs the reference kernels only: count the objects a reference-kernel load keeps.
            EdgeModel reference = m.Kernels == "reference" ? m : EdgeModel.Load(m.Data);
            var e = new Estimate
            {
                FileBytes = fileBytes,
                ArenaBytes = reference.ArenaBytes,
                FileArrayBytes = ArraySize(fileBytes, 1),
                ArenaArrayBytes = ArraySize(reference.ArenaBytes, 1),
            };
            var walker = new Walker(reference.Data);
            walker.Visit(reference);
            // The Interpreter the app creates: its instance fields (the arena is counted above).
            e.Objects = walker.Objects + 1;
            e.ObjectBytes = walker.ObjectBytes + ObjectSize(InstanceFieldCount(typeof(Interpreter)));
            e.Arrays = walker.Arrays;
            e.ArrayBytes = walker.ArrayBytes;
            e.Strings = walker.Strings;
            e.StringBytes = walker.StringBytes;
            e.LargestAllocation = Math.Max(Math.Max(e.FileArrayBytes, e.ArenaArrayBytes), walker.LargestArray);
            e.Variants.Add(Fit("esp32-wroom", "ESP32-WROOM, no PSRAM: managed heap ≈ 110 KiB", WroomHeapBytes, e));
            e.Variants.Add(Fit("esp32-wrover", "ESP32-WROVER, 4 MiB PSRAM: largest free block ≈ 3.5 MiB", WroverHeapBytes, e));
            return e;
        }

        private static Variant Fit(string name, string description, long heap, Estimate e) => new Variant
        {
            Name = name,
            Description = description,
            HeapBytes = heap,
            Fits = e.TotalBytes <= heap && e.LargestAllocation <= heap,
            Margin = heap - e.TotalBytes,
        };

        /// <summary>Prints the estimate (text, or JSON with <paramref name="json"/>).</summary>
        public static void Report(EdgeModel m, long fileBytes, TextWriter stdout, bool json)
        {
            Estimate e = EstimateFor(m, fileBytes);
            if (json)
            {
                stdout.WriteLine(Json(e).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                return;
            }
            var inv = CultureInfo.InvariantCulture;
            string N(long v) => v.ToString("N0", inv);
            stdout.WriteLine("target esp32 (.NET nanoFramework 1.17, reference kernels): managed heap estimate");
            stdout.WriteLine($"  model file (byte[] in RAM)  {N(e.FileArrayBytes),12}   ({N(e.FileBytes)} file bytes + array header)");
            stdout.WriteLine($"  arena (byte[])              {N(e.ArenaArrayBytes),12}   ({N(e.ArenaBytes)} arena bytes + array header)");
            stdout.WriteLine($"  interpreter objects         {N(e.OverheadBytes),12}   ({e.Objects} objects {N(e.ObjectBytes)}, {e.Arrays} arrays {N(e.ArrayBytes)}, {e.Strings} strings {N(e.StringBytes)})");
            stdout.WriteLine($"  total                       {N(e.TotalBytes),12}");
            foreach (var v in e.Variants)
            {
                string verdict = v.Fits
                    ? $"fits, {N(v.Margin)} bytes free"
                    : (v.Margin < 0 ? $"DOES NOT FIT, {N(-v.Margin)} bytes missing" : $"DOES NOT FIT: one {N(e.LargestAllocation)}-byte array exceeds the block");
                stdout.WriteLine($"  {v.Name,-13} {v.Description}: {N(v.HeapBytes)} bytes → {verdict}");
            }
            stdout.WriteLine($"  assumptions: {HeapBlockBytes}-byte heap blocks; object = {HeapBlockBytes} × (1 + fields); array = {ArrayHeaderBytes} + n × element size; " +
                             $"string = {HeapBlockBytes} + UTF-8 bytes + 1; all rounded up to {HeapBlockBytes}. Code/metadata stay in flash; stacks and the app's own objects are not counted.");
        }

        public static JsonObject Json(Estimate e)
        {
            var variants = new JsonArray();
            foreach (var v in e.Variants)
                variants.Add(new JsonObject
                {
                    ["name"] = v.Name,
                    ["description"] = v.Description,
                    ["heapBytes"] = v.HeapBytes,
                    ["fits"] = v.Fits,
                    ["freeBytes"] = v.Margin >= 0 ? v.Margin : 0,
                    ["missingBytes"] = v.Margin < 0 ? -v.Margin : 0,
                });
            return new JsonObject
            {
                ["target"] = "esp32",
                ["runtime"] = ".NET nanoFramework 1.17, reference kernels",
                ["fileBytes"] = e.FileBytes,
                ["arenaBytes"] = e.ArenaBytes,
                ["fileArrayBytes"] = e.FileArrayBytes,
                ["arenaArrayBytes"] = e.ArenaArrayBytes,
                ["overheadBytes"] = e.OverheadBytes,
                ["objects"] = new JsonObject
                {
                    ["count"] = e.Objects, ["bytes"] = e.ObjectBytes,
                    ["arrays"] = e.Arrays, ["arrayBytes"] = e.ArrayBytes,
                    ["strings"] = e.Strings, ["stringBytes"] = e.StringBytes,
                },
                ["totalBytes"] = e.TotalBytes,
                ["largestAllocationBytes"] = e.LargestAllocation,
                ["heapModel"] = new JsonObject
                {
                    ["heapBlockBytes"] = HeapBlockBytes,
                    ["objectBytes"] = "heapBlockBytes * (1 + instance fields)",
                    ["arrayHeaderBytes"] = ArrayHeaderBytes,
                    ["referenceElementBytes"] = HeapBlockBytes,
                    ["stringBytes"] = "heapBlockBytes + utf8 bytes + 1",
                    ["roundTo"] = HeapBlockBytes,
                },
                ["variants"] = variants,
            };
        }

        private static readonly Dictionary<Type, FieldInfo[]> _fields = new Dictionary<Type, FieldInfo[]>();

        private static FieldInfo[] InstanceFields(Type t)
        {
            lock (_fields)
            {
                if (_fields.TryGetValue(t, out var f)) return f;
                var list = new List<FieldInfo>();
                for (Type c = t; c != null && c != typeof(object); c = c.BaseType)
                    list.AddRange(c.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly));
                f = list.ToArray();
                _fields[t] = f;
                return f;
            }
        }

        private static int InstanceFieldCount(Type t) => InstanceFields(t).Length;

        /// <summary>Walks the object graph reachable from the model (each object once), sizing it as nanoFramework would.</summary>
        private sealed class Walker
        {
            private readonly HashSet<object> _seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
            private readonly Stack<object> _todo = new Stack<object>();
            public int Objects, Arrays, Strings;
            public long ObjectBytes, ArrayBytes, StringBytes, LargestArray;

            public Walker(byte[] file)
            {
                // The file is sized separately (it is the model bytes, not overhead).
                _seen.Add(file);
            }

            public void Visit(object root)
            {
                Push(root);
                while (_todo.Count > 0)
                {
                    object o = _todo.Pop();
                    Type t = o.GetType();
                    if (o is string s)
                    {
                        Strings++;
                        StringBytes += StringSize(Encoding.UTF8.GetByteCount(s));
                    }
                    else if (t.IsArray)
                    {
                        var a = (Array)o;
                        Type et = t.GetElementType();
                        long size = ArraySize(a.LongLength, ElementBytes(et));
                        Arrays++;
                        ArrayBytes += size;
                        LargestArray = Math.Max(LargestArray, size);
                        if (!et.IsValueType) foreach (object x in a) Push(x);
                    }
                    else
                    {
                        FieldInfo[] fields = InstanceFields(t);
                        Objects++;
                        ObjectBytes += ObjectSize(fields.Length);
                        foreach (FieldInfo f in fields)
                        {
                            if (f.FieldType.IsValueType)
                            {
                                // A struct field is a boxed value type on nanoFramework: one more object.
                                if (!f.FieldType.IsPrimitive && !f.FieldType.IsEnum)
                                {
                                    Objects++;
                                    ObjectBytes += ObjectSize(InstanceFieldCount(f.FieldType));
                                }
                                continue;
                            }
                            Push(f.GetValue(o));
                        }
                    }
                }
            }

            private void Push(object o)
            {
                if (o == null || o is Delegate || o is Type || o is Assembly) return;
                if (_seen.Add(o)) _todo.Push(o);
            }

            private static int ElementBytes(Type et)
            {
                if (!et.IsValueType) return HeapBlockBytes;
                if (et.IsEnum) et = Enum.GetUnderlyingType(et);
                if (et == typeof(byte) || et == typeof(sbyte) || et == typeof(bool)) return 1;
                if (et == typeof(short) || et == typeof(ushort) || et == typeof(char)) return 2;
                if (et == typeof(long) || et == typeof(ulong) || et == typeof(double)) return 8;
                if (et.IsPrimitive) return 4;
                return HeapBlockBytes; // arrays of structs: each element is a value-type heap block (approximation)
            }
        }
    }
}
