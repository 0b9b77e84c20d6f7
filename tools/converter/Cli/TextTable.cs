using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Edge.Converter.Cli
{
    /// <summary>A plain-text table: left-aligned text, right-aligned numbers, a rule under the header.</summary>
    public sealed class TextTable
    {
        private readonly string[] _header;
        private readonly List<string[]> _rows = new();

        public TextTable(params string[] header) { _header = header; }

        public void Add(params string[] cells)
        {
            if (cells.Length != _header.Length) throw new ArgumentException("cell count differs from header");
            _rows.Add(cells);
        }

        public int Count => _rows.Count;

        private static bool IsNumeric(string s) =>
            s.Length > 0 && s.All(c => char.IsDigit(c) || c is ',' or '.' or '-' or '+' or 'x' or '%' or 'e' or 'E') && s.Any(char.IsDigit);

        public void Write(TextWriter w)
        {
            int n = _header.Length;
            var width = new int[n];
            var numeric = new bool[n];
            for (int c = 0; c < n; c++)
            {
                width[c] = _header[c].Length;
                numeric[c] = _rows.Count > 0 && _rows.All(r => IsNumeric(r[c]) || r[c] == "-");
                foreach (var r in _rows) width[c] = Math.Max(width[c], r[c].Length);
            }
            string Line(string[] cells) => string.Join("  ", cells.Select((s, c) => numeric[c] ? s.PadLeft(width[c]) : s.PadRight(width[c]))).TrimEnd();
            w.WriteLine(Line(_header));
            w.WriteLine(string.Join("  ", width.Select(x => new string('-', x))));
            foreach (var r in _rows) w.WriteLine(Line(r));
        }
    }
}
