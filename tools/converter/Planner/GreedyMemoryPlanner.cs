using System;
using System.Collections.Generic;

namespace Edge.Converter.Planner
{
    /// <summary>
    /// C# port of TFLite Micro's GreedyMemoryPlanner
    /// (tensorflow/lite/micro/memory_planner/greedy_memory_planner.cc): buffers are placed largest first
    /// (stable descending sort by size; the sort input is filled from the tail, so among equal sizes the buffer added
    /// last is placed first, exactly as TFLM does), each at the lowest offset where it fits between
    /// the already placed buffers whose lifetimes overlap its own (lifetimes are inclusive [first, last]).
    /// Offline-planned offsets are not supported (Edge never has them). The caller passes sizes already aligned.
    /// </summary>
    public sealed class GreedyMemoryPlanner
    {
        private struct Requirements { public int Size, FirstTimeUsed, LastTimeUsed; }
        private struct ListEntry { public int Offset, RequirementsIndex, NextEntryIndex; }

        private readonly List<Requirements> _requirements = new();
        private int[] _bufferOffsets = Array.Empty<int>();
        private ListEntry[] _sortedByOffset = Array.Empty<ListEntry>();
        private int _firstEntryIndex;
        private bool _needToCalculateOffsets = true;

        public int BufferCount => _requirements.Count;

        /// <summary>Adds a buffer of <paramref name="size"/> bytes live from <paramref name="firstTimeUsed"/> to <paramref name="lastTimeUsed"/> inclusive; returns its id.</summary>
        public int AddBuffer(int size, int firstTimeUsed, int lastTimeUsed)
        {
            if (size < 0) throw new ArgumentOutOfRangeException(nameof(size));
            _requirements.Add(new Requirements { Size = size, FirstTimeUsed = firstTimeUsed, LastTimeUsed = lastTimeUsed });
            _needToCalculateOffsets = true;
            return _requirements.Count - 1;
        }

        public int GetSize(int bufferIndex) => _requirements[bufferIndex].Size;
        public int GetFirstTimeUsed(int bufferIndex) => _requirements[bufferIndex].FirstTimeUsed;
        public int GetLastTimeUsed(int bufferIndex) => _requirements[bufferIndex].LastTimeUsed;

        /// <summary>TFLM's "simple stable in-place sort": bubble sort, descending by value, ties keep their order.</summary>
        public static void ReverseSortInPlace(int[] values, int[] ids, int start, int size)
        {
            bool anySwapped;
            do
            {
                anySwapped = false;
                for (int i = start + 1; i < start + size; ++i)
                {
                    if (values[i - 1] < values[i])
                    {
                        (values[i - 1], values[i]) = (values[i], values[i - 1]);
                        (ids[i - 1], ids[i]) = (ids[i], ids[i - 1]);
                        anySwapped = true;
                    }
                }
            } while (anySwapped);
        }

        private bool DoesEntryOverlapInTime(in ListEntry entry, int firstTimeUsed, int lastTimeUsed)
        {
            var r = _requirements[entry.RequirementsIndex];
            if (r.FirstTimeUsed > lastTimeUsed) return false;
            if (firstTimeUsed > r.LastTimeUsed) return false;
            return true;
        }

        /// <summary>The next entry after <paramref name="start"/> (-1 = list head) in offset order that overlaps in time; -1 if none.</summary>
        private int NextSimultaneouslyActiveBuffer(int start, int firstTimeUsed, int lastTimeUsed)
        {
            int candidate;
            if (start == -1) candidate = _firstEntryIndex;
            else
            {
                if (_sortedByOffset[start].NextEntryIndex == -1) return -1;
                candidate = _sortedByOffset[start].NextEntryIndex;
            }
            while (true)
            {
                if (DoesEntryOverlapInTime(_sortedByOffset[candidate], firstTimeUsed, lastTimeUsed)) return candidate;
                if (_sortedByOffset[candidate].NextEntryIndex == -1) return -1;
                candidate = _sortedByOffset[candidate].NextEntryIndex;
            }
        }

        private void CalculateOffsetsIfNeeded()
        {
            int count = _requirements.Count;
            if (!_needToCalculateOffsets || count == 0) return;
            _needToCalculateOffsets = false;

            // TFLM fills online-planned buffers from the tail (so the array starts in reverse insertion order),
            // then stable-sorts by descending size.
            var sizesSorted = new int[count];
            var idsSorted = new int[count];
            _bufferOffsets = new int[count];
            int idxFromTail = count;
            for (int i = 0; i < count; ++i)
            {
                idxFromTail--;
                sizesSorted[idxFromTail] = _requirements[i].Size;
                idsSorted[idxFromTail] = i;
                _bufferOffsets[i] = -1;
            }
            ReverseSortInPlace(sizesSorted, idsSorted, 0, count);

            _sortedByOffset = new ListEntry[count];
            _firstEntryIndex = 0;
            int nextFreeEntry = 1;
            int bufferId = idsSorted[0];
            _sortedByOffset[0] = new ListEntry { Offset = 0, RequirementsIndex = bufferId, NextEntryIndex = -1 };
            _bufferOffsets[bufferId] = 0;

            for (int i = 1; i < count; ++i)
            {
                bufferId = idsSorted[i];
                var wanted = _requirements[bufferId];
                int candidateOffset = 0;
                int priorEntry = -1;
                while (true)
                {
                    int nextEntry = NextSimultaneouslyActiveBuffer(priorEntry, wanted.FirstTimeUsed, wanted.LastTimeUsed);
                    if (priorEntry != -1)
                    {
                        var candidateReq = _requirements[_sortedByOffset[priorEntry].RequirementsIndex];
                        int priorEntryOffset = _sortedByOffset[priorEntry].Offset + candidateReq.Size;
                        if (priorEntryOffset > candidateOffset) candidateOffset = priorEntryOffset;
                    }
                    if (nextEntry == -1) break;
                    int gap = _sortedByOffset[nextEntry].Offset - candidateOffset;
                    if (gap >= wanted.Size) break;
                    priorEntry = nextEntry;
                }
                _bufferOffsets[bufferId] = candidateOffset;

                int newEntryIndex = nextFreeEntry++;
                _sortedByOffset[newEntryIndex] = new ListEntry { Offset = candidateOffset, RequirementsIndex = bufferId, NextEntryIndex = -1 };

                if (_sortedByOffset[_firstEntryIndex].Offset > candidateOffset)
                {
                    // New entry becomes the head of the offset-ordered list.
                    _sortedByOffset[newEntryIndex].NextEntryIndex = _firstEntryIndex;
                    _firstEntryIndex = newEntryIndex;
                }
                else
                {
                    int current = _firstEntryIndex;
                    while (true)
                    {
                        int next = _sortedByOffset[current].NextEntryIndex;
                        if (next == -1)
                        {
                            _sortedByOffset[current].NextEntryIndex = newEntryIndex;
                            _sortedByOffset[newEntryIndex].NextEntryIndex = -1;
                            break;
                        }
                        if (_sortedByOffset[next].Offset > candidateOffset)
                        {
                            _sortedByOffset[newEntryIndex].NextEntryIndex = next;
                            _sortedByOffset[current].NextEntryIndex = newEntryIndex;
                            break;
                        }
                        current = next;
                    }
                }
            }
        }

        /// <summary>The arena size the plan needs: max over buffers of offset + size.</summary>
        public int GetMaximumMemorySize()
        {
            CalculateOffsetsIfNeeded();
            if (_requirements.Count == 0) return 0;
            long max = 0;
            for (int e = _firstEntryIndex; e != -1; e = _sortedByOffset[e].NextEntryIndex)
            {
                long end = (long)_sortedByOffset[e].Offset + _requirements[_sortedByOffset[e].RequirementsIndex].Size;
                if (end > max) max = end;
            }
            if (max > int.MaxValue) throw new InvalidOperationException($"arena of {max} bytes exceeds 2 GiB");
            return (int)max;
        }

        public int GetOffsetForBuffer(int bufferIndex)
        {
            CalculateOffsetsIfNeeded();
            if (bufferIndex < 0 || bufferIndex >= _requirements.Count)
                throw new ArgumentOutOfRangeException(nameof(bufferIndex), $"buffer index {bufferIndex} is outside range 0 to {_requirements.Count}");
            return _bufferOffsets[bufferIndex];
        }

        /// <summary>True when two buffers that are live at the same time share memory (never, for a correct plan).</summary>
        public bool DoAnyBuffersOverlap()
        {
            CalculateOffsetsIfNeeded();
            for (int i = 0; i < _requirements.Count; ++i)
            {
                var a = _requirements[i];
                long aStart = _bufferOffsets[i], aEnd = aStart + a.Size;
                for (int j = 0; j < _requirements.Count; ++j)
                {
                    if (i == j) continue;
                    var b = _requirements[j];
                    long bStart = _bufferOffsets[j], bEnd = bStart + b.Size;
                    if (a.FirstTimeUsed > b.LastTimeUsed || b.FirstTimeUsed > a.LastTimeUsed) continue;
                    if (aStart >= bEnd || bStart >= aEnd) continue;
                    return true;
                }
            }
            return false;
        }
    }
}
