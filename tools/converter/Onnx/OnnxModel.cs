using System;
using System.Collections.Generic;
using System.Linq;

namespace Edge.Converter.Onnx
{
    /// <summary>An ONNX file is malformed or uses something this reader does not accept; the message says what and where.</summary>
    public sealed class OnnxFormatException : Exception
    {
        public OnnxFormatException(string message) : base(message) { }
    }

    /// <summary>ONNX TensorProto.DataType values (onnx/onnx.proto).</summary>
    public enum OnnxDataType
    {
        Undefined = 0, Float = 1, UInt8 = 2, Int8 = 3, UInt16 = 4, Int16 = 5, Int32 = 6, Int64 = 7, String = 8,
        Bool = 9, Float16 = 10, Double = 11, UInt32 = 12, UInt64 = 13, Complex64 = 14, Complex128 = 15, BFloat16 = 16,
        Float8E4M3FN = 17, Float8E4M3FNUZ = 18, Float8E5M2 = 19, Float8E5M2FNUZ = 20, UInt4 = 21, Int4 = 22,
    }

    /// <summary>The parts of an ONNX ModelProto the converter uses (onnx/onnx.proto field numbers in OnnxReader).</summary>
    public sealed class OnnxModel
    {
        public long IrVersion { get; set; }
        public string ProducerName { get; set; } = "";
        public string ProducerVersion { get; set; } = "";
        /// <summary>Opset version per domain ("" = ai.onnx).</summary>
        public Dictionary<string, long> Opsets { get; } = new();
        public OnnxGraph Graph { get; set; } = new();

        /// <summary>The default-domain (ai.onnx) opset, 0 if none was imported.</summary>
        public long Opset => Opsets.TryGetValue("", out var v) ? v : Opsets.TryGetValue("ai.onnx", out v) ? v : 0;
    }

    public sealed class OnnxGraph
    {
        public string Name { get; set; } = "";
        public List<OnnxNode> Nodes { get; } = new();
        public List<OnnxTensor> Initializers { get; } = new();
        public List<OnnxValueInfo> Inputs { get; } = new();
        public List<OnnxValueInfo> Outputs { get; } = new();
        public List<OnnxValueInfo> ValueInfo { get; } = new();

        /// <summary>Graph inputs that are not initializers (the model's real inputs).</summary>
        public IEnumerable<OnnxValueInfo> RealInputs
        {
            get
            {
                var init = new HashSet<string>(Initializers.Select(t => t.Name));
                return Inputs.Where(i => !init.Contains(i.Name));
            }
        }
    }

    public sealed class OnnxNode
    {
        public string Name { get; set; } = "";
        public string OpType { get; set; } = "";
        public string Domain { get; set; } = "";
        /// <summary>Input value names; "" marks an omitted optional input.</summary>
        public List<string> Inputs { get; } = new();
        public List<string> Outputs { get; } = new();
        public Dictionary<string, OnnxAttribute> Attributes { get; } = new();

        public long Int(string name, long defaultValue) => Attributes.TryGetValue(name, out var a) ? a.I : defaultValue;
        public float Float(string name, float defaultValue) => Attributes.TryGetValue(name, out var a) ? a.F : defaultValue;
        public long[] Ints(string name) => Attributes.TryGetValue(name, out var a) ? a.Ints : null;
        public string String(string name, string defaultValue) => Attributes.TryGetValue(name, out var a) ? a.S : defaultValue;
        public override string ToString() => $"{OpType} '{Name}'";
    }

    public enum OnnxAttributeType
    {
        Undefined = 0, Float = 1, Int = 2, String = 3, Tensor = 4, Graph = 5, Floats = 6, Ints = 7, Strings = 8,
        Tensors = 9, Graphs = 10, SparseTensor = 11, SparseTensors = 12, TypeProto = 13, TypeProtos = 14,
    }

    public sealed class OnnxAttribute
    {
        public string Name { get; set; } = "";
        public OnnxAttributeType Type { get; set; }
        public float F { get; set; }
        public long I { get; set; }
        public string S { get; set; } = "";
        public OnnxTensor T { get; set; }
        public float[] Floats { get; set; } = Array.Empty<float>();
        public long[] Ints { get; set; } = Array.Empty<long>();
        public List<string> Strings { get; } = new();
    }

    /// <summary>A TensorProto with its data normalised to little-endian bytes of its element type.</summary>
    public sealed class OnnxTensor
    {
        public string Name { get; set; } = "";
        public OnnxDataType DataType { get; set; }
        public long[] Dims { get; set; } = Array.Empty<long>();
        /// <summary>Element bytes, little-endian, C order (from raw_data or the typed *_data fields).</summary>
        public byte[] Data { get; set; } = Array.Empty<byte>();
        public bool IsExternal { get; set; }

        public long ElementCount => Dims.Aggregate(1L, (a, b) => a * b);

        public static int ElementSize(OnnxDataType t) => t switch
        {
            OnnxDataType.UInt8 or OnnxDataType.Int8 or OnnxDataType.Bool or OnnxDataType.Float8E4M3FN or OnnxDataType.Float8E4M3FNUZ
                or OnnxDataType.Float8E5M2 or OnnxDataType.Float8E5M2FNUZ => 1,
            OnnxDataType.UInt16 or OnnxDataType.Int16 or OnnxDataType.Float16 or OnnxDataType.BFloat16 => 2,
            OnnxDataType.Float or OnnxDataType.Int32 or OnnxDataType.UInt32 => 4,
            OnnxDataType.Int64 or OnnxDataType.Double or OnnxDataType.UInt64 or OnnxDataType.Complex64 => 8,
            OnnxDataType.Complex128 => 16,
            _ => 0,
        };

        public float[] AsFloats()
        {
            if (DataType != OnnxDataType.Float) throw new OnnxFormatException($"tensor '{Name}' is {DataType}, not float");
            var r = new float[Data.Length / 4];
            Buffer.BlockCopy(Data, 0, r, 0, r.Length * 4);
            return r;
        }

        public long[] AsInt64s()
        {
            var r = new long[ElementCount];
            for (int i = 0; i < r.Length; i++)
                r[i] = DataType switch
                {
                    OnnxDataType.Int64 => BitConverter.ToInt64(Data, 8 * i),
                    OnnxDataType.Int32 => BitConverter.ToInt32(Data, 4 * i),
                    OnnxDataType.Int8 => (sbyte)Data[i],
                    OnnxDataType.UInt8 => Data[i],
                    OnnxDataType.Int16 => BitConverter.ToInt16(Data, 2 * i),
                    OnnxDataType.UInt16 => BitConverter.ToUInt16(Data, 2 * i),
                    _ => throw new OnnxFormatException($"tensor '{Name}' of type {DataType} is not an integer tensor"),
                };
            return r;
        }

        public override string ToString() => $"{Name} {DataType} [{string.Join(",", Dims)}]";
    }

    public sealed class OnnxValueInfo
    {
        public string Name { get; set; } = "";
        public OnnxDataType ElementType { get; set; }
        /// <summary>Dimensions; -1 where the dimension is symbolic or unknown.</summary>
        public long[] Shape { get; set; }
        /// <summary>Symbolic dimension names (null entries for numeric ones), when Shape has -1s.</summary>
        public string[] DimParams { get; set; }
        public override string ToString() => $"{Name} {ElementType} [{(Shape == null ? "?" : string.Join(",", Shape))}]";
    }
}
