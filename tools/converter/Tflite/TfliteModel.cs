using System;
using System.Collections.Generic;

namespace Edge.Converter.Tflite
{
    /// <summary>A .tflite file is malformed or not something this reader accepts. The message says what and where.</summary>
    public sealed class TfliteFormatException : Exception
    {
        public TfliteFormatException(string message) : base(message) { }
        public TfliteFormatException(string message, Exception inner) : base(message, inner) { }
    }

    /// <summary>
    /// A TFLite model as read by <see cref="TfliteReader"/>: plain classes holding what the converter needs from
    /// the TFLite schema (../shared/conformance/tflite/schema.fbs beside the repository; tensorflow/compiler/mlir/lite/schema/schema.fbs upstream).
    /// Only subgraph 0 (the main graph) is decoded; <see cref="SubgraphCount"/> tells whether there were more.
    /// </summary>
    public sealed class TfliteModel
    {
        /// <summary>Schema version (Model.version); the reader only accepts 3.</summary>
        public uint Version { get; set; }
        public string Description { get; set; }
        public List<TfliteOperatorCode> OperatorCodes { get; } = new();
        /// <summary>Model.buffers; index 0 is by convention the empty sentinel.</summary>
        public List<TfliteBuffer> Buffers { get; } = new();
        /// <summary>Subgraph 0.</summary>
        public TfliteSubgraph Subgraph { get; set; } = new();
        public int SubgraphCount { get; set; }
        public List<TfliteMetadata> Metadata { get; } = new();

        public List<TfliteTensor> Tensors => Subgraph.Tensors;
        public List<TfliteOperator> Operators => Subgraph.Operators;
        public int[] Inputs => Subgraph.Inputs;
        public int[] Outputs => Subgraph.Outputs;

        public TfliteOperatorCode OpCode(TfliteOperator op) => OperatorCodes[op.OpcodeIndex];

        /// <summary>The tensor's constant bytes, or null when it has none (buffer 0 or an empty buffer).</summary>
        public byte[] GetConstantData(TfliteTensor t)
        {
            if (t.Buffer <= 0 || t.Buffer >= Buffers.Count) return null;
            var d = Buffers[t.Buffer].Data;
            return d.Length == 0 ? null : d;
        }
    }

    public sealed class TfliteOperatorCode
    {
        /// <summary>The effective builtin code: max(deprecated_builtin_code, builtin_code), as TFLite's GetBuiltinCode does.</summary>
        public int BuiltinCode { get; set; }
        public TfliteBuiltinOperator Builtin => (TfliteBuiltinOperator)BuiltinCode;
        public sbyte DeprecatedBuiltinCode { get; set; }
        /// <summary>The raw (extended) builtin_code field.</summary>
        public int ExtendedBuiltinCode { get; set; }
        /// <summary>custom_code for CUSTOM ops, else null.</summary>
        public string CustomCode { get; set; }
        public int Version { get; set; } = 1;
        public bool IsCustom => BuiltinCode == (int)TfliteBuiltinOperator.Custom;
        /// <summary>The schema's name for the builtin (e.g. "CONV_2D"), or the custom code for custom ops.</summary>
        public string Name => IsCustom && CustomCode != null ? CustomCode : TfliteBuiltinOperatorNames.Get(BuiltinCode);
        public override string ToString() => Name;
    }

    public sealed class TfliteBuffer
    {
        /// <summary>The bytes (from Buffer.data, or from the file at offset/size for large models); never null.</summary>
        public byte[] Data { get; set; } = Array.Empty<byte>();
        /// <summary>Buffer.offset (file offset of data stored outside the FlatBuffer; only meaningful when &gt; 1).</summary>
        public ulong Offset { get; set; }
        public ulong Size { get; set; }
        public bool IsExternal => Offset > 1;
    }

    public sealed class TfliteMetadata
    {
        public string Name { get; set; }
        public int Buffer { get; set; }
    }

    public sealed class TfliteSubgraph
    {
        public string Name { get; set; }
        public List<TfliteTensor> Tensors { get; } = new();
        /// <summary>All operators, in execution order.</summary>
        public List<TfliteOperator> Operators { get; } = new();
        public int[] Inputs { get; set; } = Array.Empty<int>();
        public int[] Outputs { get; set; } = Array.Empty<int>();
    }

    public enum TfliteTensorType : sbyte
    {
        Float32 = 0, Float16 = 1, Int32 = 2, UInt8 = 3, Int64 = 4, String = 5, Bool = 6, Int16 = 7,
        Complex64 = 8, Int8 = 9, Float64 = 10, Complex128 = 11, UInt64 = 12, Resource = 13, Variant = 14,
        UInt32 = 15, UInt16 = 16, Int4 = 17, BFloat16 = 18, Int2 = 19, UInt4 = 20, Float8E4M3FN = 21, Float8E5M2 = 22,
    }

    public sealed class TfliteTensor
    {
        /// <summary>Index in the subgraph's tensor list.</summary>
        public int Index { get; set; }
        public string Name { get; set; } = "";
        public TfliteTensorType Type { get; set; }
        public int[] Shape { get; set; } = Array.Empty<int>();
        /// <summary>shape_signature (-1 = unknown dimension), or null when absent.</summary>
        public int[] ShapeSignature { get; set; }
        /// <summary>Index into <see cref="TfliteModel.Buffers"/>; 0 = no data.</summary>
        public int Buffer { get; set; }
        /// <summary>Null when the tensor has no quantization table.</summary>
        public TfliteQuantization Quantization { get; set; }
        public bool IsVariable { get; set; }
        /// <summary>True when the tensor carries sparsity parameters (not supported by the converter).</summary>
        public bool HasSparsity { get; set; }
        public override string ToString() => $"#{Index} {Name} {Type} [{string.Join(",", Shape)}]";
    }

    public sealed class TfliteQuantization
    {
        public float[] Min { get; set; } = Array.Empty<float>();
        public float[] Max { get; set; } = Array.Empty<float>();
        public float[] Scale { get; set; } = Array.Empty<float>();
        /// <summary>int64 in the file.</summary>
        public long[] ZeroPoint { get; set; } = Array.Empty<long>();
        public int QuantizedDimension { get; set; }
        /// <summary>QuantizationDetails union type (0 = NONE; anything else is a custom/blockwise scheme).</summary>
        public byte DetailsType { get; set; }
        public bool IsQuantized => Scale.Length > 0;
    }

    public sealed class TfliteOperator
    {
        /// <summary>Index in execution order.</summary>
        public int Index { get; set; }
        public int OpcodeIndex { get; set; }
        /// <summary>Tensor indices; -1 = absent optional tensor.</summary>
        public int[] Inputs { get; set; } = Array.Empty<int>();
        public int[] Outputs { get; set; } = Array.Empty<int>();
        public int[] Intermediates { get; set; } = Array.Empty<int>();
        /// <summary>The BuiltinOptions union tag (<see cref="TfliteBuiltinOptionsType"/>), 0 = NONE.</summary>
        public byte BuiltinOptionsType { get; set; }
        /// <summary>The decoded options for the types listed in <see cref="TfliteBuiltinOptionsType"/>; null for NONE or other types.</summary>
        public TfliteOptions BuiltinOptions { get; set; }
        /// <summary>The BuiltinOptions2 union tag (StableHLO ops), 0 = NONE; not decoded.</summary>
        public byte BuiltinOptions2Type { get; set; }
        /// <summary>custom_options bytes (FlexBuffers for custom ops), or null.</summary>
        public byte[] CustomOptions { get; set; }
        public byte CustomOptionsFormat { get; set; }
    }

    /// <summary>Union tags of the TFLite BuiltinOptions union that the reader decodes (or recognises as empty).</summary>
    public static class TfliteBuiltinOptionsType
    {
        public const byte None = 0;
        public const byte Conv2DOptions = 1;
        public const byte DepthwiseConv2DOptions = 2;
        public const byte Pool2DOptions = 5;
        public const byte FullyConnectedOptions = 8;
        public const byte SoftmaxOptions = 9;
        public const byte ConcatenationOptions = 10;
        public const byte AddOptions = 11;
        public const byte ReshapeOptions = 17;
        public const byte MulOptions = 21;
        public const byte PadOptions = 22;
        public const byte TransposeOptions = 26;
        public const byte ReducerOptions = 27;
        public const byte SubOptions = 28;
        public const byte DivOptions = 29;
        public const byte SqueezeOptions = 30;
        public const byte StridedSliceOptions = 32;
        public const byte DequantizeOptions = 38;
        public const byte PadV2Options = 43;
        public const byte LeakyReluOptions = 75;
        public const byte QuantizeOptions = 89;
        public const byte HardSwishOptions = 91;
    }

    public enum TflitePadding : sbyte { Same = 0, Valid = 1 }

    public enum TfliteActivation : sbyte { None = 0, Relu = 1, ReluN1To1 = 2, Relu6 = 3, Tanh = 4, SignBit = 5 }

    public enum TfliteFullyConnectedWeightsFormat : sbyte { Default = 0, Shuffled4x16Int8 = 1 }

    /// <summary>Base of the decoded builtin options.</summary>
    public abstract class TfliteOptions
    {
        /// <summary>The BuiltinOptions union tag this came from.</summary>
        public abstract byte OptionsType { get; }
    }

    public sealed class TfliteConv2DOptions : TfliteOptions
    {
        public override byte OptionsType => TfliteBuiltinOptionsType.Conv2DOptions;
        public TflitePadding Padding;
        public int StrideW, StrideH;
        public TfliteActivation FusedActivation;
        public int DilationWFactor = 1, DilationHFactor = 1;
        /// <summary>quantized_bias_type (TensorType; 0 = FLOAT32 = unset).</summary>
        public TfliteTensorType QuantizedBiasType;
    }

    public sealed class TfliteDepthwiseConv2DOptions : TfliteOptions
    {
        public override byte OptionsType => TfliteBuiltinOptionsType.DepthwiseConv2DOptions;
        public TflitePadding Padding;
        public int StrideW, StrideH;
        public int DepthMultiplier;
        public TfliteActivation FusedActivation;
        public int DilationWFactor = 1, DilationHFactor = 1;
    }

    public sealed class TfliteFullyConnectedOptions : TfliteOptions
    {
        public override byte OptionsType => TfliteBuiltinOptionsType.FullyConnectedOptions;
        public TfliteActivation FusedActivation;
        public TfliteFullyConnectedWeightsFormat WeightsFormat;
        public bool KeepNumDims;
        public bool AsymmetricQuantizeInputs;
        public TfliteTensorType QuantizedBiasType;
    }

    /// <summary>AVERAGE_POOL_2D / MAX_POOL_2D / L2_POOL_2D.</summary>
    public sealed class TflitePool2DOptions : TfliteOptions
    {
        public override byte OptionsType => TfliteBuiltinOptionsType.Pool2DOptions;
        public TflitePadding Padding;
        public int StrideW, StrideH;
        public int FilterWidth, FilterHeight;
        public TfliteActivation FusedActivation;
    }

    public sealed class TfliteAddOptions : TfliteOptions
    {
        public override byte OptionsType => TfliteBuiltinOptionsType.AddOptions;
        public TfliteActivation FusedActivation;
        public bool PotScaleInt16 = true;
    }

    public sealed class TfliteSubOptions : TfliteOptions
    {
        public override byte OptionsType => TfliteBuiltinOptionsType.SubOptions;
        public TfliteActivation FusedActivation;
        public bool PotScaleInt16 = true;
    }

    public sealed class TfliteDivOptions : TfliteOptions
    {
        public override byte OptionsType => TfliteBuiltinOptionsType.DivOptions;
        public TfliteActivation FusedActivation;
    }

    public sealed class TfliteMulOptions : TfliteOptions
    {
        public override byte OptionsType => TfliteBuiltinOptionsType.MulOptions;
        public TfliteActivation FusedActivation;
    }

    public sealed class TfliteSoftmaxOptions : TfliteOptions
    {
        public override byte OptionsType => TfliteBuiltinOptionsType.SoftmaxOptions;
        public float Beta;
    }

    public sealed class TfliteConcatenationOptions : TfliteOptions
    {
        public override byte OptionsType => TfliteBuiltinOptionsType.ConcatenationOptions;
        public int Axis;
        public TfliteActivation FusedActivation;
    }

    public sealed class TfliteReshapeOptions : TfliteOptions
    {
        public override byte OptionsType => TfliteBuiltinOptionsType.ReshapeOptions;
        /// <summary>new_shape, or null when the field is absent (the shape then comes from input 1 or the output).</summary>
        public int[] NewShape;
    }

    public sealed class TfliteSqueezeOptions : TfliteOptions
    {
        public override byte OptionsType => TfliteBuiltinOptionsType.SqueezeOptions;
        public int[] SqueezeDims = Array.Empty<int>();
    }

    public sealed class TfliteStridedSliceOptions : TfliteOptions
    {
        public override byte OptionsType => TfliteBuiltinOptionsType.StridedSliceOptions;
        public int BeginMask, EndMask, EllipsisMask, NewAxisMask, ShrinkAxisMask;
        public bool Offset;
    }

    /// <summary>MEAN, SUM, REDUCE_MAX, ... .</summary>
    public sealed class TfliteReducerOptions : TfliteOptions
    {
        public override byte OptionsType => TfliteBuiltinOptionsType.ReducerOptions;
        public bool KeepDims;
    }

    public sealed class TfliteLeakyReluOptions : TfliteOptions
    {
        public override byte OptionsType => TfliteBuiltinOptionsType.LeakyReluOptions;
        public float Alpha;
    }

    /// <summary>A recognised options table without fields (PadOptions, PadV2Options, TransposeOptions, QuantizeOptions, DequantizeOptions, HardSwishOptions).</summary>
    public sealed class TfliteEmptyOptions : TfliteOptions
    {
        private readonly byte _type;
        public TfliteEmptyOptions(byte type) { _type = type; }
        public override byte OptionsType => _type;
    }

    // ---- Generated from the TFLite schema (enum BuiltinOperator); values and names must match it. ----

    public enum TfliteBuiltinOperator
    {
        Add = 0,
        AveragePool2D = 1,
        Concatenation = 2,
        Conv2D = 3,
        DepthwiseConv2D = 4,
        DepthToSpace = 5,
        Dequantize = 6,
        EmbeddingLookup = 7,
        Floor = 8,
        FullyConnected = 9,
        HashtableLookup = 10,
        L2Normalization = 11,
        L2Pool2D = 12,
        LocalResponseNormalization = 13,
        Logistic = 14,
        LshProjection = 15,
        Lstm = 16,
        MaxPool2D = 17,
        Mul = 18,
        Relu = 19,
        ReluN1To1 = 20,
        Relu6 = 21,
        Reshape = 22,
        ResizeBilinear = 23,
        Rnn = 24,
        Softmax = 25,
        SpaceToDepth = 26,
        Svdf = 27,
        Tanh = 28,
        ConcatEmbeddings = 29,
        SkipGram = 30,
        Call = 31,
        Custom = 32,
        EmbeddingLookupSparse = 33,
        Pad = 34,
        UnidirectionalSequenceRnn = 35,
        Gather = 36,
        BatchToSpaceNd = 37,
        SpaceToBatchNd = 38,
        Transpose = 39,
        Mean = 40,
        Sub = 41,
        Div = 42,
        Squeeze = 43,
        UnidirectionalSequenceLstm = 44,
        StridedSlice = 45,
        BidirectionalSequenceRnn = 46,
        Exp = 47,
        TopkV2 = 48,
        Split = 49,
        LogSoftmax = 50,
        Delegate = 51,
        BidirectionalSequenceLstm = 52,
        Cast = 53,
        Prelu = 54,
        Maximum = 55,
        ArgMax = 56,
        Minimum = 57,
        Less = 58,
        Neg = 59,
        Padv2 = 60,
        Greater = 61,
        GreaterEqual = 62,
        LessEqual = 63,
        Select = 64,
        Slice = 65,
        Sin = 66,
        TransposeConv = 67,
        SparseToDense = 68,
        Tile = 69,
        ExpandDims = 70,
        Equal = 71,
        NotEqual = 72,
        Log = 73,
        Sum = 74,
        Sqrt = 75,
        Rsqrt = 76,
        Shape = 77,
        Pow = 78,
        ArgMin = 79,
        FakeQuant = 80,
        ReduceProd = 81,
        ReduceMax = 82,
        Pack = 83,
        LogicalOr = 84,
        OneHot = 85,
        LogicalAnd = 86,
        LogicalNot = 87,
        Unpack = 88,
        ReduceMin = 89,
        FloorDiv = 90,
        ReduceAny = 91,
        Square = 92,
        ZerosLike = 93,
        Fill = 94,
        FloorMod = 95,
        Range = 96,
        ResizeNearestNeighbor = 97,
        LeakyRelu = 98,
        SquaredDifference = 99,
        MirrorPad = 100,
        Abs = 101,
        SplitV = 102,
        Unique = 103,
        Ceil = 104,
        ReverseV2 = 105,
        AddN = 106,
        GatherNd = 107,
        Cos = 108,
        Where = 109,
        Rank = 110,
        Elu = 111,
        ReverseSequence = 112,
        MatrixDiag = 113,
        Quantize = 114,
        MatrixSetDiag = 115,
        Round = 116,
        HardSwish = 117,
        If = 118,
        While = 119,
        NonMaxSuppressionV4 = 120,
        NonMaxSuppressionV5 = 121,
        ScatterNd = 122,
        SelectV2 = 123,
        Densify = 124,
        SegmentSum = 125,
        BatchMatmul = 126,
        PlaceholderForGreaterOpCodes = 127,
        Cumsum = 128,
        CallOnce = 129,
        BroadcastTo = 130,
        Rfft2D = 131,
        Conv3D = 132,
        Imag = 133,
        Real = 134,
        ComplexAbs = 135,
        Hashtable = 136,
        HashtableFind = 137,
        HashtableImport = 138,
        HashtableSize = 139,
        ReduceAll = 140,
        Conv3DTranspose = 141,
        VarHandle = 142,
        ReadVariable = 143,
        AssignVariable = 144,
        BroadcastArgs = 145,
        RandomStandardNormal = 146,
        Bucketize = 147,
        RandomUniform = 148,
        Multinomial = 149,
        Gelu = 150,
        DynamicUpdateSlice = 151,
        Relu0To1 = 152,
        UnsortedSegmentProd = 153,
        UnsortedSegmentMax = 154,
        UnsortedSegmentSum = 155,
        Atan2 = 156,
        UnsortedSegmentMin = 157,
        Sign = 158,
        Bitcast = 159,
        BitwiseXor = 160,
        RightShift = 161,
        StablehloLogistic = 162,
        StablehloAdd = 163,
        StablehloDivide = 164,
        StablehloMultiply = 165,
        StablehloMaximum = 166,
        StablehloReshape = 167,
        StablehloClamp = 168,
        StablehloConcatenate = 169,
        StablehloBroadcastInDim = 170,
        StablehloConvolution = 171,
        StablehloSlice = 172,
        StablehloCustomCall = 173,
        StablehloReduce = 174,
        StablehloAbs = 175,
        StablehloAnd = 176,
        StablehloCosine = 177,
        StablehloExponential = 178,
        StablehloFloor = 179,
        StablehloLog = 180,
        StablehloMinimum = 181,
        StablehloNegate = 182,
        StablehloOr = 183,
        StablehloPower = 184,
        StablehloRemainder = 185,
        StablehloRsqrt = 186,
        StablehloSelect = 187,
        StablehloSubtract = 188,
        StablehloTanh = 189,
        StablehloScatter = 190,
        StablehloCompare = 191,
        StablehloConvert = 192,
        StablehloDynamicSlice = 193,
        StablehloDynamicUpdateSlice = 194,
        StablehloPad = 195,
        StablehloIota = 196,
        StablehloDotGeneral = 197,
        StablehloReduceWindow = 198,
        StablehloSort = 199,
        StablehloWhile = 200,
        StablehloGather = 201,
        StablehloTranspose = 202,
        Dilate = 203,
        StablehloRngBitGenerator = 204,
        ReduceWindow = 205,
        StablehloComposite = 206,
        StablehloShiftLeft = 207,
        StablehloCbrt = 208,
        StablehloCase = 209,
    }

    /// <summary>The schema's spelling of each builtin operator (e.g. 118 = "HARD_SWISH").</summary>
    public static class TfliteBuiltinOperatorNames
    {
        private static readonly Dictionary<int, string> Names = new()
        {
            [0] = "ADD",
            [1] = "AVERAGE_POOL_2D",
            [2] = "CONCATENATION",
            [3] = "CONV_2D",
            [4] = "DEPTHWISE_CONV_2D",
            [5] = "DEPTH_TO_SPACE",
            [6] = "DEQUANTIZE",
            [7] = "EMBEDDING_LOOKUP",
            [8] = "FLOOR",
            [9] = "FULLY_CONNECTED",
            [10] = "HASHTABLE_LOOKUP",
            [11] = "L2_NORMALIZATION",
            [12] = "L2_POOL_2D",
            [13] = "LOCAL_RESPONSE_NORMALIZATION",
            [14] = "LOGISTIC",
            [15] = "LSH_PROJECTION",
            [16] = "LSTM",
            [17] = "MAX_POOL_2D",
            [18] = "MUL",
            [19] = "RELU",
            [20] = "RELU_N1_TO_1",
            [21] = "RELU6",
            [22] = "RESHAPE",
            [23] = "RESIZE_BILINEAR",
            [24] = "RNN",
            [25] = "SOFTMAX",
            [26] = "SPACE_TO_DEPTH",
            [27] = "SVDF",
            [28] = "TANH",
            [29] = "CONCAT_EMBEDDINGS",
            [30] = "SKIP_GRAM",
            [31] = "CALL",
            [32] = "CUSTOM",
            [33] = "EMBEDDING_LOOKUP_SPARSE",
            [34] = "PAD",
            [35] = "UNIDIRECTIONAL_SEQUENCE_RNN",
            [36] = "GATHER",
            [37] = "BATCH_TO_SPACE_ND",
            [38] = "SPACE_TO_BATCH_ND",
            [39] = "TRANSPOSE",
            [40] = "MEAN",
            [41] = "SUB",
            [42] = "DIV",
            [43] = "SQUEEZE",
            [44] = "UNIDIRECTIONAL_SEQUENCE_LSTM",
            [45] = "STRIDED_SLICE",
            [46] = "BIDIRECTIONAL_SEQUENCE_RNN",
            [47] = "EXP",
            [48] = "TOPK_V2",
            [49] = "SPLIT",
            [50] = "LOG_SOFTMAX",
            [51] = "DELEGATE",
            [52] = "BIDIRECTIONAL_SEQUENCE_LSTM",
            [53] = "CAST",
            [54] = "PRELU",
            [55] = "MAXIMUM",
            [56] = "ARG_MAX",
            [57] = "MINIMUM",
            [58] = "LESS",
            [59] = "NEG",
            [60] = "PADV2",
            [61] = "GREATER",
            [62] = "GREATER_EQUAL",
            [63] = "LESS_EQUAL",
            [64] = "SELECT",
            [65] = "SLICE",
            [66] = "SIN",
            [67] = "TRANSPOSE_CONV",
            [68] = "SPARSE_TO_DENSE",
            [69] = "TILE",
            [70] = "EXPAND_DIMS",
            [71] = "EQUAL",
            [72] = "NOT_EQUAL",
            [73] = "LOG",
            [74] = "SUM",
            [75] = "SQRT",
            [76] = "RSQRT",
            [77] = "SHAPE",
            [78] = "POW",
            [79] = "ARG_MIN",
            [80] = "FAKE_QUANT",
            [81] = "REDUCE_PROD",
            [82] = "REDUCE_MAX",
            [83] = "PACK",
            [84] = "LOGICAL_OR",
            [85] = "ONE_HOT",
            [86] = "LOGICAL_AND",
            [87] = "LOGICAL_NOT",
            [88] = "UNPACK",
            [89] = "REDUCE_MIN",
            [90] = "FLOOR_DIV",
            [91] = "REDUCE_ANY",
            [92] = "SQUARE",
            [93] = "ZEROS_LIKE",
            [94] = "FILL",
            [95] = "FLOOR_MOD",
            [96] = "RANGE",
            [97] = "RESIZE_NEAREST_NEIGHBOR",
            [98] = "LEAKY_RELU",
            [99] = "SQUARED_DIFFERENCE",
            [100] = "MIRROR_PAD",
            [101] = "ABS",
            [102] = "SPLIT_V",
            [103] = "UNIQUE",
            [104] = "CEIL",
            [105] = "REVERSE_V2",
            [106] = "ADD_N",
            [107] = "GATHER_ND",
            [108] = "COS",
            [109] = "WHERE",
            [110] = "RANK",
            [111] = "ELU",
            [112] = "REVERSE_SEQUENCE",
            [113] = "MATRIX_DIAG",
            [114] = "QUANTIZE",
            [115] = "MATRIX_SET_DIAG",
            [116] = "ROUND",
            [117] = "HARD_SWISH",
            [118] = "IF",
            [119] = "WHILE",
            [120] = "NON_MAX_SUPPRESSION_V4",
            [121] = "NON_MAX_SUPPRESSION_V5",
            [122] = "SCATTER_ND",
            [123] = "SELECT_V2",
            [124] = "DENSIFY",
            [125] = "SEGMENT_SUM",
            [126] = "BATCH_MATMUL",
            [127] = "PLACEHOLDER_FOR_GREATER_OP_CODES",
            [128] = "CUMSUM",
            [129] = "CALL_ONCE",
            [130] = "BROADCAST_TO",
            [131] = "RFFT2D",
            [132] = "CONV_3D",
            [133] = "IMAG",
            [134] = "REAL",
            [135] = "COMPLEX_ABS",
            [136] = "HASHTABLE",
            [137] = "HASHTABLE_FIND",
            [138] = "HASHTABLE_IMPORT",
            [139] = "HASHTABLE_SIZE",
            [140] = "REDUCE_ALL",
            [141] = "CONV_3D_TRANSPOSE",
            [142] = "VAR_HANDLE",
            [143] = "READ_VARIABLE",
            [144] = "ASSIGN_VARIABLE",
            [145] = "BROADCAST_ARGS",
            [146] = "RANDOM_STANDARD_NORMAL",
            [147] = "BUCKETIZE",
            [148] = "RANDOM_UNIFORM",
            [149] = "MULTINOMIAL",
            [150] = "GELU",
            [151] = "DYNAMIC_UPDATE_SLICE",
            [152] = "RELU_0_TO_1",
            [153] = "UNSORTED_SEGMENT_PROD",
            [154] = "UNSORTED_SEGMENT_MAX",
            [155] = "UNSORTED_SEGMENT_SUM",
            [156] = "ATAN2",
            [157] = "UNSORTED_SEGMENT_MIN",
            [158] = "SIGN",
            [159] = "BITCAST",
            [160] = "BITWISE_XOR",
            [161] = "RIGHT_SHIFT",
            [162] = "STABLEHLO_LOGISTIC",
            [163] = "STABLEHLO_ADD",
            [164] = "STABLEHLO_DIVIDE",
            [165] = "STABLEHLO_MULTIPLY",
            [166] = "STABLEHLO_MAXIMUM",
            [167] = "STABLEHLO_RESHAPE",
            [168] = "STABLEHLO_CLAMP",
            [169] = "STABLEHLO_CONCATENATE",
            [170] = "STABLEHLO_BROADCAST_IN_DIM",
            [171] = "STABLEHLO_CONVOLUTION",
            [172] = "STABLEHLO_SLICE",
            [173] = "STABLEHLO_CUSTOM_CALL",
            [174] = "STABLEHLO_REDUCE",
            [175] = "STABLEHLO_ABS",
            [176] = "STABLEHLO_AND",
            [177] = "STABLEHLO_COSINE",
            [178] = "STABLEHLO_EXPONENTIAL",
            [179] = "STABLEHLO_FLOOR",
            [180] = "STABLEHLO_LOG",
            [181] = "STABLEHLO_MINIMUM",
            [182] = "STABLEHLO_NEGATE",
            [183] = "STABLEHLO_OR",
            [184] = "STABLEHLO_POWER",
            [185] = "STABLEHLO_REMAINDER",
            [186] = "STABLEHLO_RSQRT",
            [187] = "STABLEHLO_SELECT",
            [188] = "STABLEHLO_SUBTRACT",
            [189] = "STABLEHLO_TANH",
            [190] = "STABLEHLO_SCATTER",
            [191] = "STABLEHLO_COMPARE",
            [192] = "STABLEHLO_CONVERT",
            [193] = "STABLEHLO_DYNAMIC_SLICE",
            [194] = "STABLEHLO_DYNAMIC_UPDATE_SLICE",
            [195] = "STABLEHLO_PAD",
            [196] = "STABLEHLO_IOTA",
            [197] = "STABLEHLO_DOT_GENERAL",
            [198] = "STABLEHLO_REDUCE_WINDOW",
            [199] = "STABLEHLO_SORT",
            [200] = "STABLEHLO_WHILE",
            [201] = "STABLEHLO_GATHER",
            [202] = "STABLEHLO_TRANSPOSE",
            [203] = "DILATE",
            [204] = "STABLEHLO_RNG_BIT_GENERATOR",
            [205] = "REDUCE_WINDOW",
            [206] = "STABLEHLO_COMPOSITE",
            [207] = "STABLEHLO_SHIFT_LEFT",
            [208] = "STABLEHLO_CBRT",
            [209] = "STABLEHLO_CASE",
        };

        public static string Get(int code) => Names.TryGetValue(code, out var n) ? n : $"BUILTIN_{code}";
    }
}
