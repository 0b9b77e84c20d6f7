// The runtime core (runtime/Edge.Runtime.csproj, which also compiles kernels/reference/*.cs) is linked, as
// source, into an ESP32 .NET nanoFramework 1.17 app. This file checks the *compiled IL* of Edge.Runtime.dll
// against that subset, so a construct nanoFramework cannot run fails here instead of on the device:
//
//   * generics: TypeSpec blobs with GENERICINST (also inline in any signature), MethodSpecs, generic
//     type/method definitions;
//   * Span/ReadOnlySpan/Memory and any ref struct (by name, by IsByRefLikeAttribute, or by resolving the
//     referenced type), TypedReference;
//   * pointers (ELEMENT_TYPE_PTR / FNPTR in any signature, field, local), stackalloc (`localloc`), `calli`,
//     pinned locals (`fixed`), the UnverifiableCode marker `unsafe` compilation leaves, P/Invoke;
//   * multidimensional arrays (ELEMENT_TYPE_ARRAY, as opposed to SZARRAY);
//   * [MethodImpl] options nanoFramework's MethodImplOptions lacks (AggressiveInlining, ...);
//   * every TypeReference / MemberReference that is not in NanoSubset/corelib-1.17-allowlist.txt, a hand
//     transcription of nanoFramework.CoreLibrary's public API (see the header of that file).
//
// A failure prints one line per violation: "<where>: <what>", e.g.
//   Edge.Runtime.Interpreter::Invoke: member ref System.Collections.Generic.List`1<int32>::Add(!0) not in nanoFramework 1.17 allowlist
// The second group of tests compiles small C# snippets in memory (Roslyn) and proves each rule fires.

using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;
using Xunit.Abstractions;

namespace Edge.Tests
{
    public class NanoSubsetTests
    {
        internal static readonly string AllowlistPath =
            Path.Combine(AppContext.BaseDirectory, "NanoSubset", "corelib-1.17-allowlist.txt");

        private static readonly Lazy<NanoAllowlist> Allow = new Lazy<NanoAllowlist>(() => NanoAllowlist.Load(AllowlistPath));

        private readonly ITestOutputHelper _out;

        public NanoSubsetTests(ITestOutputHelper output) { _out = output; }

        [Fact]
        public void EdgeRuntime_compiled_IL_stays_inside_the_nanoFramework_1_17_subset()
        {
            string dll = typeof(Edge.Runtime.FixedPoint).Assembly.Location;
            Assert.True(File.Exists(dll), "Edge.Runtime.dll not found at " + dll);

            var checker = new NanoSubsetChecker(Allow.Value);
            List<string> violations = checker.Check(File.ReadAllBytes(dll));
            _out.WriteLine($"{dll}: {checker.Summary}");

            Assert.True(violations.Count == 0,
                $"{Path.GetFileName(dll)} uses {violations.Count} construct(s) outside the .NET nanoFramework 1.17 subset " +
                $"(rules: tests/Edge.Tests/NanoSubsetTests.cs, API list: tests/Edge.Tests/NanoSubset/corelib-1.17-allowlist.txt):" +
                Environment.NewLine + string.Join(Environment.NewLine, violations));
        }

        /// <summary>
        /// The ESP32 app's platform-free logic (targets/esp32/Core) is linked into the nanoFramework build with
        /// the runtime core: compile the three together as the .nfproj does and check the IL the same way.
        /// </summary>
        [Fact]
        public void Esp32_core_with_the_runtime_sources_stays_inside_the_subset()
        {
            string root = SharedData.RepoRoot;
            var files = new[] { "runtime", "kernels/reference", "targets/esp32/Core" }
                .SelectMany(d => Directory.GetFiles(Path.Combine(root, d), "*.cs", SearchOption.AllDirectories))
                .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar) && !f.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar))
                .ToArray();
            Assert.Contains(files, f => f.Replace('\\', '/').Contains("targets/esp32/Core/"));
            var checker = new NanoSubsetChecker(Allow.Value);
            List<string> violations = checker.Check(NanoSnippetCompiler.CompileFiles(files.Select(File.ReadAllText), allowUnsafe: false));
            _out.WriteLine($"{files.Length} files: {checker.Summary}");
            Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
        }

        [Fact]
        public void Allowlist_is_the_transcribed_corelib_list()
        {
            NanoAllowlist a = Allow.Value;
            Assert.Contains("Transcribed by hand from nanoframework/CoreLibrary", File.ReadAllText(AllowlistPath));
            Assert.True(a.EntryCount > 300, "allowlist unexpectedly small: " + a.EntryCount);
            Assert.Equal(NanoAllowlist.Section.Api, a.MemberKind("System.Object::.ctor()"));
            Assert.Equal(NanoAllowlist.Section.Api, a.MemberKind("System.Runtime.CompilerServices.RuntimeHelpers::InitializeArray(System.Array,System.RuntimeFieldHandle)"));
            Assert.Equal(NanoAllowlist.Section.BuildMetadata, a.MemberKind("System.Runtime.Versioning.TargetFrameworkAttribute::.ctor(string)"));
            Assert.Null(a.TypeKind("System.Console"));
            Assert.Null(a.TypeKind("System.Span`1"));
        }

        // ---------------------------------------------------------------------------------------------
        // Proof that the checker works: compile snippets in memory and check what it reports.
        // ---------------------------------------------------------------------------------------------

        public static IEnumerable<object[]> ForbiddenSnippets()
        {
            // name, C# source (LangVersion 10, like the runtime project), fragment that must appear in a violation
            yield return new object[] { "List<int>",
                "using System.Collections.Generic; public class C { public int M() { var l = new List<int>(); l.Add(1); return l.Count; } }",
                "C::M: generic instantiation System.Collections.Generic.List`1<int32>" };
            yield return new object[] { "List<int>.Add member ref",
                "using System.Collections.Generic; public class C { public int M() { var l = new List<int>(); l.Add(1); return l.Count; } }",
                "C::M: member ref System.Collections.Generic.List`1<int32>::Add(!0) not in nanoFramework 1.17 allowlist" };
            yield return new object[] { "Span<byte>",
                "public class C { public int M(byte[] a) { System.Span<byte> s = a; return s.Length; } }",
                "C::M: type ref System.Span`1 not in nanoFramework 1.17 allowlist (ref struct" };
            yield return new object[] { "stackalloc",
                "public class C { public int M() { System.Span<int> s = stackalloc int[4]; s[0] = 1; return s[0]; } }",
                "C::M: stackalloc (IL localloc)" };
            yield return new object[] { "int[,]",
                "public class C { public int M() { var a = new int[2, 3]; a[1, 2] = 5; return a[1, 2]; } }",
                "C::M: multidimensional array int32[,]" };
            yield return new object[] { "System.Console",
                "public class C { public void M() { System.Console.WriteLine(\"x\"); } }",
                "C::M: member ref System.Console::WriteLine(string) not in nanoFramework 1.17 allowlist" };
            yield return new object[] { "pointer parameter",
                "public unsafe class C { public int M(int* p) { return *p; } }",
                "C::M: pointer type int32*" };
            yield return new object[] { "pointer local + fixed",
                "public unsafe class C { public int M(int[] a) { fixed (int* p = a) { return *p; } } }",
                "C::M: pinned local" };
            yield return new object[] { "unsafe compilation",
                "public unsafe class C { public int M(int* p) { return *p; } }",
                "<module attribute>: type ref System.Security.UnverifiableCodeAttribute" };
            yield return new object[] { "function pointer",
                "public unsafe class C { public int M(delegate*<int, int> f) { return f(1); } }",
                "C::M: function pointer" };
            yield return new object[] { "generic method definition",
                "public class C { public T Id<T>(T x) { return x; } }",
                "C::Id: generic method definition" };
            yield return new object[] { "generic method instantiation",
                "public class C { public T Id<T>(T x) { return x; } public int M() { return Id(1); } }",
                "C::M: generic method instantiation C::Id<int32>" };
            yield return new object[] { "generic type definition",
                "public class Box<T> { public T Value; }",
                "Box`1: generic type definition" };
            yield return new object[] { "ref struct definition",
                "public ref struct R { public int X; }",
                "R: ref struct definition" };
            yield return new object[] { "string interpolation",
                "public class C { public string M(int x) { return $\"a{x}b\"; } }",
                "type ref System.Runtime.CompilerServices.DefaultInterpolatedStringHandler not in nanoFramework 1.17 allowlist" };
            yield return new object[] { "Math overload nanoFramework lacks",
                "public class C { public long M(long a, long b) { return System.Math.Max(a, b); } }",
                "C::M: member ref System.Math::Max(int64,int64) not in nanoFramework 1.17 allowlist" };
            yield return new object[] { "build metadata used from code",
                "public class C { public object M() { return new System.Runtime.Versioning.TargetFrameworkAttribute(\"x\"); } }",
                "C::M: member ref System.Runtime.Versioning.TargetFrameworkAttribute::.ctor(string) only allowed as a custom attribute on the assembly/module" };
            yield return new object[] { "compiler attribute constructed in code",
                "public class C { public object M() { return new System.Runtime.CompilerServices.CompilerGeneratedAttribute(); } }",
                "C::M: member ref System.Runtime.CompilerServices.CompilerGeneratedAttribute::.ctor() only allowed as a compiler-emitted custom attribute" };
            yield return new object[] { "AggressiveInlining",
                "using System.Runtime.CompilerServices; public class C { [MethodImpl(MethodImplOptions.AggressiveInlining)] public int M(int x) { return x + 1; } }",
                "C::M: [MethodImpl(MethodImplOptions.AggressiveInlining)]: not a member of nanoFramework's MethodImplOptions" };
            yield return new object[] { "lock statement",
                "public class C { private readonly object _g = new object(); public int M() { lock (_g) { return 1; } } }",
                "C::M: member ref System.Threading.Monitor::Enter(object,bool&) not in nanoFramework 1.17 allowlist" };
        }

        [Theory]
        [MemberData(nameof(ForbiddenSnippets))]
        public void Checker_flags_forbidden_construct(string name, string source, string expectedFragment)
        {
            // /unsafe only where the snippet needs it: it adds [module: UnverifiableCode] (itself a violation)
            bool needsUnsafe = source.Contains("unsafe", StringComparison.Ordinal);
            List<string> violations = new NanoSubsetChecker(Allow.Value).Check(NanoSnippetCompiler.Compile(source, needsUnsafe));
            _out.WriteLine(string.Join(Environment.NewLine, violations));
            Assert.True(violations.Any(v => v.Contains(expectedFragment, StringComparison.Ordinal)),
                $"[{name}] expected a violation containing:{Environment.NewLine}  {expectedFragment}{Environment.NewLine}got:{Environment.NewLine}  " +
                string.Join(Environment.NewLine + "  ", violations));
        }

        [Fact]
        public void Checker_passes_clean_nano_style_code()
        {
            const string clean = @"
using System;
using System.Collections;
[assembly: System.Reflection.AssemblyTitle(""Clean"")]
[assembly: System.Reflection.AssemblyInformationalVersion(""1.0"")]
[assembly: System.Runtime.Versioning.TargetFramework("".NETCoreApp,Version=v10.0"")]

namespace Clean
{
    public enum Kind : byte { A = 0, B = 1 }
    [Flags] public enum Bits { None = 0, One = 1, Two = 2 }
    public struct Pair { public int X; public int Y; public Pair(int x, int y) { X = x; Y = y; } }
    public delegate int Op(int a, int b);
    public interface IKernel { int Run(int[] data); }
    public sealed class EdgeError : Exception { public EdgeError(string m) : base(m) { } }

    public sealed class Kernel : IKernel
    {
        private static readonly byte[] Table = new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
        private readonly ArrayList _items = new ArrayList();
        public int Count { get; private set; }
        public int this[int i] { get { return Table[i]; } }

        public int Run(int[] data)
        {
            if (data == null) throw new ArgumentNullException(""data"");
            if (data.Length == 0) throw new ArgumentOutOfRangeException(""data"", ""empty"");
            int acc = 0;
            foreach (int v in data) acc = unchecked(acc + v * Table[v & 15]);
            long wide = (long)acc * 3;
            acc = Math.Max(acc, (int)(wide >> 1));
            float f = (float)Math.Sqrt(2.0) + Math.Abs(-1.5f);
            _items.Add(acc);
            Count = _items.Count;
            int[] copy = new int[data.Length];
            Array.Copy(data, copy, data.Length);
            Op add = (a, b) => a + b;
            acc = add(acc, copy[0]) + (int)f;
            Pair p = new Pair(acc, Count);
            Kind k = p.X > 0 ? Kind.A : Kind.B;
            Bits bits = Bits.One | Bits.Two;
            if ((bits & Bits.Two) != 0 && k == Kind.A) acc++;
            Action tick = () => { };
            tick();
            try { if (acc == int.MinValue) throw new InvalidOperationException(""overflow""); }
            catch (InvalidOperationException e) { acc = e.Message.Length; }
            return acc;
        }

        public static string Describe(int code, string name)
        {
            switch (name)
            {
                case ""conv"": return ""Conv2D "" + code.ToString();
                case ""dw"": return ""DepthwiseConv2D"";
                case ""fc"": return ""FullyConnected"";
                case ""add"": return ""Add"";
                case ""mul"": return ""Mul"";
                case ""pool"": return ""Pool"";
                case ""relu"": return ""Relu"";
                default: throw new EdgeError(""unknown op '"" + name + ""' (code "" + code.ToString() + "")"");
            }
        }
    }
}";
            var checker = new NanoSubsetChecker(Allow.Value);
            List<string> violations = checker.Check(NanoSnippetCompiler.Compile(clean, allowUnsafe: false));
            _out.WriteLine(checker.Summary);
            Assert.True(violations.Count == 0, "clean snippet was flagged:" + Environment.NewLine + string.Join(Environment.NewLine, violations));
        }
    }

    // =================================================================================================
    // Allowlist
    // =================================================================================================

    internal sealed class NanoAllowlist
    {
        public enum Section { Api, BuildMetadata, CompilerAttributes }

        private readonly Dictionary<string, Section> _types = new Dictionary<string, Section>(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _baseTypes = new Dictionary<string, string>(StringComparer.Ordinal);
        private readonly Dictionary<string, Section> _members = new Dictionary<string, Section>(StringComparer.Ordinal);

        public int EntryCount => _types.Count + _members.Count;

        public Section? TypeKind(string fullName) => _types.TryGetValue(fullName, out Section s) ? s : (Section?)null;

        public Section? MemberKind(string key) => _members.TryGetValue(key, out Section s) ? s : (Section?)null;

        /// <summary>Looks "Type::Name(sig)" up, walking the base types declared with "type X : Base" for instance members.</summary>
        public Section? ResolveMember(string typeName, string memberSig, bool walkBases)
        {
            string t = typeName;
            for (int guard = 0; t != null && guard < 32; guard++)
            {
                Section? s = MemberKind(t + "::" + memberSig);
                if (s != null) return s;
                if (!walkBases) return null;
                t = _baseTypes.TryGetValue(t, out string b) ? b : null;
            }
            return null;
        }

        public static NanoAllowlist Load(string path)
        {
            if (!File.Exists(path))
                throw new FileNotFoundException("nanoFramework allowlist missing (is it copied to the test output dir?)", path);
            var list = new NanoAllowlist();
            Section? section = null;
            int lineNo = 0;
            foreach (string raw in File.ReadAllLines(path))
            {
                lineNo++;
                string line = raw;
                int hash = line.IndexOf('#');
                if (hash >= 0) line = line.Substring(0, hash);
                line = line.Trim();
                if (line.Length == 0) continue;

                if (line.StartsWith("[", StringComparison.Ordinal))
                {
                    int close = line.IndexOf(']');
                    string name = close > 0 ? line.Substring(1, close - 1).Trim() : "";
                    section = name switch
                    {
                        "api" => Section.Api,
                        "build-metadata" => Section.BuildMetadata,
                        "compiler-attributes" => Section.CompilerAttributes,
                        _ => throw new FormatException($"{path}:{lineNo}: unknown section [{name}]"),
                    };
                    continue;
                }
                if (section == null) throw new FormatException($"{path}:{lineNo}: entry before any [section]");

                if (line.StartsWith("type ", StringComparison.Ordinal))
                {
                    string rest = line.Substring(5).Trim();
                    string baseType = null;
                    int colon = rest.IndexOf(" : ", StringComparison.Ordinal);
                    if (colon >= 0)
                    {
                        baseType = rest.Substring(colon + 3).Trim();
                        rest = rest.Substring(0, colon).Trim();
                    }
                    list._types[rest] = section.Value;
                    if (baseType != null) list._baseTypes[rest] = baseType;
                }
                else if (line.Contains("::", StringComparison.Ordinal))
                {
                    list._members[line.Replace(" ", "").Replace("nativeint", "native int").Replace("nativeuint", "native uint")] = section.Value;
                }
                else
                {
                    throw new FormatException($"{path}:{lineNo}: cannot parse '{raw}'");
                }
            }
            return list;
        }
    }

    // =================================================================================================
    // Checker
    // =================================================================================================

    internal sealed class NanoSubsetChecker
    {
        private const string NotAllowed = "not in nanoFramework 1.17 allowlist";

        private enum UseKind { Code, AssemblyAttribute, OtherAttribute }

        private readonly NanoAllowlist _allow;

        // per Check() state
        private MetadataReader _md;
        private PEReader _pe;
        private NanoSigRenderer _sig;
        private SortedSet<string> _violations;
        private Dictionary<EntityHandle, List<(string Site, UseKind Kind)>> _uses;
        private Dictionary<ParameterHandle, string> _paramOwner;

        public NanoSubsetChecker(NanoAllowlist allow) { _allow = allow; }

        /// <summary>What the last Check() looked at (printed by the tests, so a pass is visibly not vacuous).</summary>
        public string Summary { get; private set; } = "";

        public List<string> Check(byte[] image)
        {
            using (_pe = new PEReader(ImmutableArray.Create(image)))
            {
                _md = _pe.GetMetadataReader();
                _sig = new NanoSigRenderer(_md);
                _violations = new SortedSet<string>(StringComparer.Ordinal);
                _uses = new Dictionary<EntityHandle, List<(string, UseKind)>>();
                _paramOwner = new Dictionary<ParameterHandle, string>();

                ScanDefinitions();
                ScanCustomAttributes();
                JudgeUnusedTypeSpecs();
                JudgeTypeReferences();
                JudgeMemberReferences();
                JudgeMethodSpecs();
                Summary = $"{_md.TypeDefinitions.Count} type defs, {_md.MethodDefinitions.Count} method defs, " +
                          $"{_md.TypeReferences.Count} type refs, {_md.MemberReferences.Count} member refs, " +
                          $"{_md.GetTableRowCount(TableIndex.TypeSpec)} type specs, {_md.GetTableRowCount(TableIndex.MethodSpec)} method specs, " +
                          $"{_md.CustomAttributes.Count} custom attributes checked; {_violations.Count} violation(s)";
                return _violations.ToList();
            }
        }

        private void Add(string site, string message) => _violations.Add(site + ": " + message);

        // ---- collecting uses --------------------------------------------------------------------

        private void RecordUse(EntityHandle h, string site, UseKind kind)
        {
            if (!_uses.TryGetValue(h, out var list)) _uses[h] = list = new List<(string, UseKind)>();
            if (!list.Contains((site, kind))) list.Add((site, kind));
        }

        /// <summary>Records that <paramref name="h"/> is referenced from <paramref name="site"/> and follows it into signatures.</summary>
        private void Use(EntityHandle h, string site, UseKind kind)
        {
            if (h.IsNil) return;
            switch (h.Kind)
            {
                case HandleKind.TypeReference:
                    RecordUse(h, site, kind);
                    break;
                case HandleKind.TypeSpecification:
                    RecordUse(h, site, kind);
                    Decode(site, kind, () => _md.GetTypeSpecification((TypeSpecificationHandle)h).DecodeSignature(_sig, null));
                    break;
                case HandleKind.MemberReference:
                {
                    if (_uses.TryGetValue(h, out var seen) && seen.Contains((site, kind))) return;
                    RecordUse(h, site, kind);
                    MemberReference mr = _md.GetMemberReference((MemberReferenceHandle)h);
                    Use(mr.Parent, site, kind);
                    if (mr.GetKind() == MemberReferenceKind.Method)
                        Decode(site, kind, () => mr.DecodeMethodSignature(_sig, null));
                    else
                        Decode(site, kind, () => mr.DecodeFieldSignature(_sig, null));
                    break;
                }
                case HandleKind.MethodSpecification:
                {
                    RecordUse(h, site, kind);
                    MethodSpecification ms = _md.GetMethodSpecification((MethodSpecificationHandle)h);
                    Use(ms.Method, site, kind);
                    Decode(site, kind, () => ms.DecodeSignature(_sig, null));
                    break;
                }
                case HandleKind.StandaloneSignature:
                {
                    StandaloneSignature ss = _md.GetStandaloneSignature((StandaloneSignatureHandle)h);
                    if (ss.GetKind() == StandaloneSignatureKind.Method)
                        Decode(site, kind, () => ss.DecodeMethodSignature(_sig, null));
                    else
                        Decode(site, kind, () => ss.DecodeLocalSignature(_sig, null));
                    break;
                }
            }
        }

        /// <summary>Decodes a signature blob and attributes what it contains (problems, TypeRefs) to <paramref name="site"/>.</summary>
        private void Decode(string site, UseKind kind, Action decode)
        {
            NanoSigRenderer.Scan scan = _sig.Begin();
            try { decode(); }
            catch (BadImageFormatException e) { scan.Problems.Add("undecodable signature (" + e.Message + ")"); }
            finally { _sig.End(); }
            foreach (string p in scan.Problems) Add(site, p);
            foreach (TypeReferenceHandle tr in scan.TypeRefs) RecordUse(tr, site, kind);
        }

        // ---- definitions ------------------------------------------------------------------------

        private void ScanDefinitions()
        {
            foreach (TypeDefinitionHandle th in _md.TypeDefinitions)
            {
                TypeDefinition td = _md.GetTypeDefinition(th);
                string typeName = _sig.TypeDefName(th);
                if (typeName == "<Module>") { ScanMethods(td, typeName); continue; }

                if (td.GetGenericParameters().Count > 0)
                    Add(typeName, "generic type definition (nanoFramework 1.17 has no generics)");
                if (HasAttribute(td.GetCustomAttributes(), "System.Runtime.CompilerServices.IsByRefLikeAttribute"))
                    Add(typeName, "ref struct definition (nanoFramework has no ref structs)");

                Use(td.BaseType, typeName, UseKind.Code);
                foreach (InterfaceImplementationHandle ih in td.GetInterfaceImplementations())
                    Use(_md.GetInterfaceImplementation(ih).Interface, typeName, UseKind.Code);
                foreach (MethodImplementationHandle mih in td.GetMethodImplementations())
                {
                    MethodImplementation mi = _md.GetMethodImplementation(mih);
                    Use(mi.MethodDeclaration, typeName, UseKind.Code);
                }
                foreach (EventDefinitionHandle eh in td.GetEvents())
                    Use(_md.GetEventDefinition(eh).Type, typeName + "::" + _md.GetString(_md.GetEventDefinition(eh).Name), UseKind.Code);

                foreach (FieldDefinitionHandle fh in td.GetFields())
                {
                    FieldDefinition fd = _md.GetFieldDefinition(fh);
                    string site = typeName + "::" + _md.GetString(fd.Name);
                    Decode(site, UseKind.Code, () => fd.DecodeSignature(_sig, null));
                }

                ScanMethods(td, typeName);
            }
        }

        private static readonly (MethodImplAttributes Flag, string Name)[] NanoMissingImplOptions =
        {
            (MethodImplAttributes.AggressiveInlining, "AggressiveInlining"),
            (MethodImplAttributes.AggressiveOptimization, "AggressiveOptimization"),
            (MethodImplAttributes.NoOptimization, "NoOptimization"),
        };

        private void ScanMethods(TypeDefinition td, string typeName)
        {
            foreach (MethodDefinitionHandle mh in td.GetMethods())
            {
                MethodDefinition m = _md.GetMethodDefinition(mh);
                string site = typeName + "::" + _md.GetString(m.Name);
                foreach (ParameterHandle ph in m.GetParameters()) _paramOwner[ph] = site;

                if (m.GetGenericParameters().Count > 0)
                    Add(site, "generic method definition (nanoFramework 1.17 has no generics)");
                if ((m.Attributes & MethodAttributes.PinvokeImpl) != 0)
                    Add(site, "P/Invoke (DllImport) method: not supported by nanoFramework");
                // [MethodImpl] is a pseudo-attribute (no reference in metadata), so check the flags it sets:
                // nanoFramework's MethodImplOptions only has Unmanaged/ForwardRef/PreserveSig/InternalCall/
                // Synchronized/NoInlining, so these would not even compile there.
                foreach (var (flag, name) in NanoMissingImplOptions)
                    if ((m.ImplAttributes & flag) != 0)
                        Add(site, $"[MethodImpl(MethodImplOptions.{name})]: not a member of nanoFramework's MethodImplOptions");

                Decode(site, UseKind.Code, () => m.DecodeSignature(_sig, null));

                if (m.RelativeVirtualAddress == 0) continue;
                MethodBodyBlock body = _pe.GetMethodBody(m.RelativeVirtualAddress);
                if (!body.LocalSignature.IsNil) Use(body.LocalSignature, site, UseKind.Code);
                foreach (ExceptionRegion r in body.ExceptionRegions)
                    if (r.Kind == ExceptionRegionKind.Catch) Use(r.CatchType, site, UseKind.Code);
                ScanIL(body.GetILBytes(), site);
            }
        }

        private void ScanIL(byte[] il, string site)
        {
            int i = 0;
            while (i < il.Length)
            {
                int code = il[i++];
                if (code == 0xFE)
                {
                    if (i >= il.Length) break;
                    code = 0xFE00 | il[i++];
                }
                if (!NanoIL.Operands.TryGetValue(code, out OperandType operand))
                {
                    Add(site, $"unknown IL opcode 0x{code:X}");
                    return;
                }

                switch (code)
                {
                    case 0xFE0F: Add(site, "stackalloc (IL localloc): not supported by nanoFramework"); break;
                    case 0x29: Add(site, "calli (function pointer call): not supported by nanoFramework"); break;
                    case 0xFE00: Add(site, "__arglist (IL arglist): not supported by nanoFramework"); break;
                    case 0xC6: case 0xC2: case 0xFE1D:
                        Add(site, "TypedReference (__makeref/__refvalue/__reftype): not supported by nanoFramework"); break;
                }

                switch (operand)
                {
                    case OperandType.InlineNone: break;
                    case OperandType.ShortInlineBrTarget:
                    case OperandType.ShortInlineI:
                    case OperandType.ShortInlineVar: i += 1; break;
                    case OperandType.InlineVar: i += 2; break;
                    case OperandType.InlineI8:
                    case OperandType.InlineR: i += 8; break;
                    case OperandType.InlineSwitch:
                        int n = BitConverter.ToInt32(il, i);
                        i += 4 + 4 * n;
                        break;
                    case OperandType.InlineField:
                    case OperandType.InlineMethod:
                    case OperandType.InlineTok:
                    case OperandType.InlineType:
                    case OperandType.InlineSig:
                        int token = BitConverter.ToInt32(il, i);
                        i += 4;
                        Use(MetadataTokens.EntityHandle(token), site, UseKind.Code);
                        break;
                    default: i += 4; break; // InlineBrTarget, InlineI, InlineString, ShortInlineR
                }
            }
        }

        private void ScanCustomAttributes()
        {
            foreach (CustomAttributeHandle ch in _md.CustomAttributes)
            {
                CustomAttribute ca = _md.GetCustomAttribute(ch);
                UseKind kind = ca.Parent.Kind == HandleKind.AssemblyDefinition || ca.Parent.Kind == HandleKind.ModuleDefinition
                    ? UseKind.AssemblyAttribute
                    : UseKind.OtherAttribute;
                Use(ca.Constructor, DescribeAttributeParent(ca.Parent), kind);
            }
        }

        private string DescribeAttributeParent(EntityHandle parent)
        {
            switch (parent.Kind)
            {
                case HandleKind.AssemblyDefinition: return "<assembly attribute>";
                case HandleKind.ModuleDefinition: return "<module attribute>";
                case HandleKind.TypeDefinition: return _sig.TypeDefName((TypeDefinitionHandle)parent);
                case HandleKind.MethodDefinition:
                {
                    MethodDefinition m = _md.GetMethodDefinition((MethodDefinitionHandle)parent);
                    return _sig.TypeDefName(m.GetDeclaringType()) + "::" + _md.GetString(m.Name);
                }
                case HandleKind.FieldDefinition:
                {
                    FieldDefinition f = _md.GetFieldDefinition((FieldDefinitionHandle)parent);
                    return _sig.TypeDefName(f.GetDeclaringType()) + "::" + _md.GetString(f.Name);
                }
                case HandleKind.PropertyDefinition:
                {
                    PropertyDefinition p = _md.GetPropertyDefinition((PropertyDefinitionHandle)parent);
                    MethodDefinitionHandle acc = p.GetAccessors().Getter.IsNil ? p.GetAccessors().Setter : p.GetAccessors().Getter;
                    string owner = acc.IsNil ? "?" : _sig.TypeDefName(_md.GetMethodDefinition(acc).GetDeclaringType());
                    return owner + "::" + _md.GetString(p.Name);
                }
                case HandleKind.Parameter:
                    return _paramOwner.TryGetValue((ParameterHandle)parent, out string site) ? site : "<parameter>";
                default:
                    return "<" + parent.Kind + " attribute>";
            }
        }

        private bool HasAttribute(CustomAttributeHandleCollection attrs, string attributeTypeName)
        {
            foreach (CustomAttributeHandle ch in attrs)
            {
                EntityHandle ctor = _md.GetCustomAttribute(ch).Constructor;
                EntityHandle type = ctor.Kind == HandleKind.MemberReference
                    ? _md.GetMemberReference((MemberReferenceHandle)ctor).Parent
                    : (EntityHandle)_md.GetMethodDefinition((MethodDefinitionHandle)ctor).GetDeclaringType();
                string name = type.Kind switch
                {
                    HandleKind.TypeReference => _sig.TypeRefName((TypeReferenceHandle)type),
                    HandleKind.TypeDefinition => _sig.TypeDefName((TypeDefinitionHandle)type),
                    _ => null,
                };
                if (name == attributeTypeName) return true;
            }
            return false;
        }

        // ---- judging ----------------------------------------------------------------------------

        private static bool Allowed(NanoAllowlist.Section? section, UseKind kind) => section switch
        {
            NanoAllowlist.Section.Api => true,
            NanoAllowlist.Section.BuildMetadata => kind == UseKind.AssemblyAttribute,
            NanoAllowlist.Section.CompilerAttributes => kind != UseKind.Code,
            _ => false,
        };

        private static string WhyNot(NanoAllowlist.Section? section) => section switch
        {
            NanoAllowlist.Section.BuildMetadata => "only allowed as a custom attribute on the assembly/module (build metadata)",
            NanoAllowlist.Section.CompilerAttributes => "only allowed as a compiler-emitted custom attribute",
            _ => NotAllowed,
        };

        private List<(string Site, UseKind Kind)> UsesOf(EntityHandle h) =>
            _uses.TryGetValue(h, out var list) ? list : new List<(string, UseKind)> { ("<assembly metadata>", UseKind.Code) };

        private void JudgeTypeReferences()
        {
            var scopes = new HashSet<TypeReferenceHandle>();
            foreach (TypeReferenceHandle th in _md.TypeReferences)
            {
                TypeReference tr = _md.GetTypeReference(th);
                if (tr.ResolutionScope.Kind == HandleKind.TypeReference) scopes.Add((TypeReferenceHandle)tr.ResolutionScope);
            }

            foreach (TypeReferenceHandle th in _md.TypeReferences)
            {
                if (!_uses.ContainsKey(th) && scopes.Contains(th)) continue; // only the enclosing type of a nested reference
                string name = _sig.TypeRefName(th);
                NanoAllowlist.Section? section = _allow.TypeKind(name);
                string why = WhyNot(section) + Hint(th, name);
                foreach (var (site, kind) in UsesOf(th))
                    if (!Allowed(section, kind))
                        Add(site, $"type ref {name} {why}");
            }
        }

        private void JudgeMemberReferences()
        {
            foreach (MemberReferenceHandle mh in _md.MemberReferences)
            {
                MemberReference mr = _md.GetMemberReference(mh);
                string typeName;
                switch (mr.Parent.Kind)
                {
                    case HandleKind.TypeReference: typeName = _sig.TypeRefName((TypeReferenceHandle)mr.Parent); break;
                    case HandleKind.TypeSpecification:
                        typeName = RenderQuietly(() => _md.GetTypeSpecification((TypeSpecificationHandle)mr.Parent).DecodeSignature(_sig, null));
                        break;
                    case HandleKind.ModuleReference:
                        foreach (var (site, _) in UsesOf(mh)) Add(site, $"member ref {_md.GetString(mr.Name)} into an unmanaged module: not supported by nanoFramework");
                        continue;
                    default:
                        continue; // our own definitions (vararg call sites)
                }

                string memberSig;
                bool instance;
                if (mr.GetKind() == MemberReferenceKind.Method)
                {
                    MethodSignature<string> ms = default;
                    RenderQuietly(() => { ms = mr.DecodeMethodSignature(_sig, null); return ""; });
                    memberSig = _md.GetString(mr.Name) + "(" + string.Join(",", ms.ParameterTypes.IsDefault ? ImmutableArray<string>.Empty : ms.ParameterTypes) + ")";
                    instance = ms.Header.IsInstance;
                }
                else
                {
                    memberSig = _md.GetString(mr.Name);
                    instance = false;
                }

                bool walk = instance && _md.GetString(mr.Name) != ".ctor";
                NanoAllowlist.Section? section = _allow.ResolveMember(typeName, memberSig, walk);
                string why = WhyNot(section);
                foreach (var (site, kind) in UsesOf(mh))
                    if (!Allowed(section, kind))
                        Add(site, $"member ref {typeName}::{memberSig} {why}");
            }
        }

        private void JudgeMethodSpecs()
        {
            foreach (int row in Enumerable.Range(1, _md.GetTableRowCount(TableIndex.MethodSpec)))
            {
                var h = MetadataTokens.MethodSpecificationHandle(row);
                MethodSpecification ms = _md.GetMethodSpecification(h);
                string args = RenderQuietly(() => string.Join(",", ms.DecodeSignature(_sig, null)));
                string method = MethodName(ms.Method);
                foreach (var (site, _) in UsesOf(h))
                    Add(site, $"generic method instantiation {method}<{args}> (nanoFramework 1.17 has no generics)");
            }
        }

        private void JudgeUnusedTypeSpecs()
        {
            foreach (int row in Enumerable.Range(1, _md.GetTableRowCount(TableIndex.TypeSpec)))
            {
                var h = MetadataTokens.TypeSpecificationHandle(row);
                if (_uses.ContainsKey(h)) continue;
                Use(h, "<assembly metadata>", UseKind.Code);
            }
        }

        private string MethodName(EntityHandle method)
        {
            switch (method.Kind)
            {
                case HandleKind.MethodDefinition:
                {
                    MethodDefinition m = _md.GetMethodDefinition((MethodDefinitionHandle)method);
                    return _sig.TypeDefName(m.GetDeclaringType()) + "::" + _md.GetString(m.Name);
                }
                case HandleKind.MemberReference:
                {
                    MemberReference mr = _md.GetMemberReference((MemberReferenceHandle)method);
                    string owner = mr.Parent.Kind switch
                    {
                        HandleKind.TypeReference => _sig.TypeRefName((TypeReferenceHandle)mr.Parent),
                        HandleKind.TypeDefinition => _sig.TypeDefName((TypeDefinitionHandle)mr.Parent),
                        HandleKind.TypeSpecification => RenderQuietly(() => _md.GetTypeSpecification((TypeSpecificationHandle)mr.Parent).DecodeSignature(_sig, null)),
                        _ => "?",
                    };
                    return owner + "::" + _md.GetString(mr.Name);
                }
                default: return "?";
            }
        }

        /// <summary>Renders without recording problems/uses (they are recorded where the thing is used).</summary>
        private string RenderQuietly(Func<string> render)
        {
            _sig.Begin();
            try { return render(); }
            catch (BadImageFormatException) { return "<bad signature>"; }
            finally { _sig.End(); }
        }

        private static readonly string[] SpanLike = { "System.Span`1", "System.ReadOnlySpan`1", "System.Memory`1", "System.ReadOnlyMemory`1" };

        private string Hint(TypeReferenceHandle th, string name)
        {
            if (Array.IndexOf(SpanLike, name) >= 0 || IsByRefLike(th, name))
                return " (ref struct / Span-like: not available on nanoFramework)";
            if (name == "System.Console") return " (CoreLibrary has no console for us: the runtime core must not write to a console)";
            if (name == "System.Security.UnverifiableCodeAttribute") return " (the assembly was compiled with unsafe code / AllowUnsafeBlocks)";
            if (name == "System.Runtime.CompilerServices.IsByRefLikeAttribute") return " (ref struct)";
            if (name.StartsWith("System.Collections.Generic.", StringComparison.Ordinal)) return " (generic collections: use arrays or System.Collections.ArrayList)";
            if (name.StartsWith("System.Linq.", StringComparison.Ordinal)) return " (LINQ is not available on nanoFramework)";
            return "";
        }

        /// <summary>Resolves a reference to the BCL type the test process sees and asks whether it is a ref struct.</summary>
        private bool IsByRefLike(TypeReferenceHandle th, string name)
        {
            try
            {
                TypeReference tr = _md.GetTypeReference(th);
                EntityHandle scope = tr.ResolutionScope;
                while (scope.Kind == HandleKind.TypeReference) scope = _md.GetTypeReference((TypeReferenceHandle)scope).ResolutionScope;
                if (scope.Kind != HandleKind.AssemblyReference) return false;
                string asm = _md.GetString(_md.GetAssemblyReference((AssemblyReferenceHandle)scope).Name);
                Type t = Type.GetType(name.Replace('/', '+') + ", " + asm, throwOnError: false);
                return t != null && t.IsByRefLike;
            }
            catch (Exception)
            {
                return false;
            }
        }
    }

    // =================================================================================================
    // Signature rendering (normalised strings) + detection of forbidden signature elements
    // =================================================================================================

    internal sealed class NanoSigRenderer : ISignatureTypeProvider<string, object>
    {
        internal sealed class Scan
        {
            public readonly List<string> Problems = new List<string>();
            public readonly List<TypeReferenceHandle> TypeRefs = new List<TypeReferenceHandle>();
        }

        private readonly MetadataReader _md;
        private readonly Stack<Scan> _scans = new Stack<Scan>();

        public NanoSigRenderer(MetadataReader md) { _md = md; }

        public Scan Begin() { var s = new Scan(); _scans.Push(s); return s; }
        public void End() => _scans.Pop();

        private void Problem(string p) { if (_scans.Count > 0 && !_scans.Peek().Problems.Contains(p)) _scans.Peek().Problems.Add(p); }

        public string TypeRefName(TypeReferenceHandle h)
        {
            TypeReference tr = _md.GetTypeReference(h);
            string name = _md.GetString(tr.Name);
            if (tr.ResolutionScope.Kind == HandleKind.TypeReference)
                return TypeRefName((TypeReferenceHandle)tr.ResolutionScope) + "/" + name;
            string ns = _md.GetString(tr.Namespace);
            return ns.Length == 0 ? name : ns + "." + name;
        }

        public string TypeDefName(TypeDefinitionHandle h)
        {
            TypeDefinition td = _md.GetTypeDefinition(h);
            string name = _md.GetString(td.Name);
            TypeDefinitionHandle outer = td.GetDeclaringType();
            if (!outer.IsNil) return TypeDefName(outer) + "/" + name;
            string ns = _md.GetString(td.Namespace);
            return ns.Length == 0 ? name : ns + "." + name;
        }

        public string GetPrimitiveType(PrimitiveTypeCode typeCode)
        {
            switch (typeCode)
            {
                case PrimitiveTypeCode.Boolean: return "bool";
                case PrimitiveTypeCode.Char: return "char";
                case PrimitiveTypeCode.SByte: return "int8";
                case PrimitiveTypeCode.Byte: return "uint8";
                case PrimitiveTypeCode.Int16: return "int16";
                case PrimitiveTypeCode.UInt16: return "uint16";
                case PrimitiveTypeCode.Int32: return "int32";
                case PrimitiveTypeCode.UInt32: return "uint32";
                case PrimitiveTypeCode.Int64: return "int64";
                case PrimitiveTypeCode.UInt64: return "uint64";
                case PrimitiveTypeCode.Single: return "float32";
                case PrimitiveTypeCode.Double: return "float64";
                case PrimitiveTypeCode.IntPtr: return "native int";
                case PrimitiveTypeCode.UIntPtr: return "native uint";
                case PrimitiveTypeCode.Object: return "object";
                case PrimitiveTypeCode.String: return "string";
                case PrimitiveTypeCode.Void: return "void";
                case PrimitiveTypeCode.TypedReference:
                    Problem("TypedReference (ref struct): not supported by nanoFramework");
                    return "typedref";
                default: return typeCode.ToString();
            }
        }

        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => TypeDefName(handle);

        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind)
        {
            if (_scans.Count > 0) _scans.Peek().TypeRefs.Add(handle);
            return TypeRefName(handle);
        }

        public string GetTypeFromSpecification(MetadataReader reader, object genericContext, TypeSpecificationHandle handle, byte rawTypeKind)
            => reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

        public string GetSZArrayType(string elementType) => elementType + "[]";

        public string GetArrayType(string elementType, ArrayShape shape)
        {
            string t = elementType + "[" + new string(',', Math.Max(0, shape.Rank - 1)) + "]";
            Problem("multidimensional array " + t + " (nanoFramework only has single-dimension zero-based arrays)");
            return t;
        }

        public string GetByReferenceType(string elementType) => elementType + "&";

        public string GetPointerType(string elementType)
        {
            Problem("pointer type " + elementType + "* (unsafe code is not supported by nanoFramework)");
            return elementType + "*";
        }

        public string GetFunctionPointerType(MethodSignature<string> signature)
        {
            string t = "method " + signature.ReturnType + " *(" + string.Join(",", signature.ParameterTypes) + ")";
            Problem("function pointer " + t + " (not supported by nanoFramework)");
            return t;
        }

        public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments)
        {
            string t = genericType + "<" + string.Join(",", typeArguments) + ">";
            Problem("generic instantiation " + t + " (nanoFramework 1.17 has no generics)");
            return t;
        }

        public string GetGenericMethodParameter(object genericContext, int index) => "!!" + index;

        public string GetGenericTypeParameter(object genericContext, int index) => "!" + index;

        public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType; // modifier TypeRef is still recorded

        public string GetPinnedType(string elementType)
        {
            Problem("pinned local " + elementType + " (fixed statement / unsafe code is not supported by nanoFramework)");
            return elementType;
        }
    }

    internal static class NanoIL
    {
        /// <summary>Operand type of every IL opcode, keyed by its 1-byte value or 0xFE00|second byte.</summary>
        public static readonly Dictionary<int, OperandType> Operands = BuildOperands();

        private static Dictionary<int, OperandType> BuildOperands()
        {
            var d = new Dictionary<int, OperandType>();
            foreach (FieldInfo f in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
            {
                if (f.GetValue(null) is OpCode op)
                {
                    int key = op.Size == 1 ? op.Value & 0xFF : 0xFE00 | (op.Value & 0xFF);
                    d[key] = op.OperandType;
                }
            }
            return d;
        }
    }

    // =================================================================================================
    // In-memory C# compilation for the self-tests
    // =================================================================================================

    internal static class NanoSnippetCompiler
    {
        private static readonly Lazy<MetadataReference[]> References = new Lazy<MetadataReference[]>(() =>
        {
            string fxDir = Path.GetDirectoryName(typeof(object).Assembly.Location);
            return ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES"))
                .Split(Path.PathSeparator)
                .Where(p => string.Equals(Path.GetDirectoryName(p), fxDir, StringComparison.OrdinalIgnoreCase))
                .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
                .ToArray();
        });

        public static byte[] Compile(string source, bool allowUnsafe) => CompileFiles(new[] { source }, allowUnsafe);

        /// <summary>Compiles several C# 10 sources into one in-memory assembly (release, nullable off).</summary>
        public static byte[] CompileFiles(IEnumerable<string> sources, bool allowUnsafe)
        {
            var trees = sources.Select(src => CSharpSyntaxTree.ParseText(src, new CSharpParseOptions(LanguageVersion.CSharp10))).ToArray();
            var compilation = CSharpCompilation.Create(
                "Snippet" + Guid.NewGuid().ToString("N"),
                trees,
                References.Value,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary,
                    optimizationLevel: OptimizationLevel.Release,
                    allowUnsafe: allowUnsafe,
                    nullableContextOptions: NullableContextOptions.Disable));
            using var ms = new MemoryStream();
            var result = compilation.Emit(ms);
            if (!result.Success)
            {
                var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString());
                throw new InvalidOperationException("snippet does not compile:" + Environment.NewLine + string.Join(Environment.NewLine, errors));
            }
            return ms.ToArray();
        }
    }
}
