"""Examples from task texts and docstrings, on a table of real docstrings.

The docstrings come from HumanEval (MIT licence), CPython's standard library and
the doctest documentation (PSF licence), LeetCode and Edabit problem statements;
the few made up for an edge say so.
"""

from __future__ import annotations

import ast

import pytest

from verify.checks import Check
from verify.examples import (
    checks_from_reply,
    entry_point,
    extract_examples,
    mentions_examples,
)

# --- real docstrings ----------------------------------------------------------------------------

HAS_CLOSE_ELEMENTS = '''from typing import List


def has_close_elements(numbers: List[float], threshold: float) -> bool:
    """ Check if in given list of numbers, are any two numbers closer to each other than
    given threshold.
    >>> has_close_elements([1.0, 2.0, 3.0], 0.5)
    False
    >>> has_close_elements([1.0, 2.8, 3.0, 4.0, 5.0, 2.0], 0.3)
    True
    """
'''

LONGEST = '''from typing import List, Optional


def longest(strings: List[str]) -> Optional[str]:
    """ Out of list of strings, return the longest one. Return the first one in case of multiple
    strings of the same length. Return None in case the input list is empty.
    >>> longest([])

    >>> longest(['a', 'b', 'c'])
    'a'
    >>> longest(['a', 'bb', 'ccc'])
    'ccc'
    """
'''

MAKE_PALINDROME = '''def is_palindrome(string: str) -> bool:
    """ Test if given string is a palindrome """
    return string == string[::-1]


def make_palindrome(string: str) -> str:
    """ Find the shortest palindrome that begins with a supplied string.
    >>> make_palindrome('')
    ''
    >>> make_palindrome('cat')
    'catac'
    """
'''

TRUNCATE_NUMBER = '''def truncate_number(number: float) -> float:
    """ Given a positive floating point number, it can be decomposed into
    and integer part (largest integer smaller than given number) and decimals
    (leftover part always smaller than 1).

    Return the decimal part of the number.
    >>> truncate_number(3.5)
    0.5
    """
'''

ODD_COUNT = '''def odd_count(lst):
    """Given a list of strings, where each string consists of only digits, return a list.

    >>> odd_count(['1234567'])
    ["the number of odd elements 4n the str4ng 4 of the 4nput."]
    >>> odd_count(['3',"11111111"])
    ["the number of odd elements 1n the str1ng 1 of the 1nput.",
     "the number of odd elements 8n the str8ng 8 of the 8nput."]
    """
'''

COUNT_NUMS = '''def count_nums(arr):
    """
    Write a function count_nums which takes an array of integers and returns
    the number of elements which has a sum of digits > 0.
    If a number is negative, then its first signed digit will be negative:
    e.g. -123 has signed digits -1, 2, and 3.
    >>> count_nums([]) == 0
    >>> count_nums([-1, 11, -11]) == 1
    """
'''

ANY_INT = '''def any_int(x, y, z):
    """
    Create a function that takes 3 numbers.
    Returns true if one of the numbers is equal to the sum of the other two, and all numbers are integers.
    Returns false in any other cases.

    Examples
    any_int(5, 2, 7) ➞ True

    any_int(3, 2, 2) ➞ False

    any_int(3.6, -2.2, 2) ➞ False
    """
'''

ADD_EVEN_AT_ODD = '''def add(lst):
    """Given a non-empty list of integers lst. add the even elements that are at odd indices..


    Examples:
        add([4, 2, 6, 7]) ==> 2
    """
'''

WORDS_STRING = '''def words_string(s):
    """
    You will be given a string of words separated by commas or spaces. Your task is
    to split the string into words and return an array of the words.

    For example:
    words_string("Hi, my name is John") == ["Hi", "my", "name", "is", "John"]
    words_string("One, two, three, four, five, six") == ["One", "two", "three", "four", "five", "six"]
    """
'''

ROUNDED_AVG = '''def rounded_avg(n, m):
    """You are given two positive integers n and m, and your task is to compute the
    average of the integers from n through m (including n and m).
    Round the answer to the nearest integer and convert that to binary.
    If n is greater than m, return -1.
    Example:
    rounded_avg(1, 5) => "0b11"
    rounded_avg(7, 5) => -1
    """
'''

DECIMAL_TO_BINARY = '''def decimal_to_binary(decimal):
    """You will be given a number in decimal form and your task is to convert it to
    binary format.

    Examples:
    decimal_to_binary(15)   # returns "db1111db"
    decimal_to_binary(32)   # returns "db100000db"
    """
'''

FILE_NAME_CHECK = '''def file_name_check(file_name):
    """Create a function which takes a string representing a file's name, and returns
    'Yes' if the the file's name is valid, and returns 'No' otherwise.
    Examples:
    file_name_check("example.txt") # => 'Yes'
    file_name_check("1example.dll") # => 'No' (the name should start with a latin alphapet letter)
    """
'''

MULTIPLY = '''def multiply(a, b):
    """Complete the function that takes two integers and returns
    the product of their unit digits.
    Assume the input is always valid.
    Examples:
    multiply(148, 412) should return 16.
    multiply(14,-15) should return 20.
    """
'''

GET_ODD_COLLATZ = '''def get_odd_collatz(n):
    """
    Given a positive integer n, return a sorted list that has the odd numbers in collatz sequence.

    For example:
    get_odd_collatz(5) returns [1, 5] # The collatz sequence for 5 is [5, 16, 8, 4, 2, 1], so the odd numbers are only 1, and 5.
    """
'''

DOUBLE_THE_DIFFERENCE = '''def double_the_difference(lst):
    """
    Given a list of numbers, return the sum of squares of the numbers
    in the list that are odd. Ignore numbers that are negative or not integers.

    double_the_difference([1, 3, 2, 0]) == 1 + 9 + 0 + 0 = 10
    double_the_difference([-1, -2, 0]) == 0
    """
'''

FRUIT_DISTRIBUTION = '''def fruit_distribution(s,n):
    """
    for examble:
    fruit_distribution("5 apples and 6 oranges", 19) ->19 - 5 - 6 = 8
    fruit_distribution("0 apples and 1 oranges",3) -> 3 - 0 - 1 = 2
    """
'''

IS_HAPPY = '''def is_happy(s):
    """You are given a string s.
    Your task is to check if the string is happy or not.
    For example:
    is_happy(a) => False
    is_happy(abcd) => True
    """
'''

FIND_MAX = '''def find_max(words):
    """Write a function that accepts a list of strings.

    find_max(["name", "of", "string"]) == "string"
    find_max(["aaaaaaa", "bb" ,"cc"]) == ""aaaaaaa"
    """
'''

X_OR_Y = '''def x_or_y(n, x, y):
    """A simple program which should return the value of x if n is
    a prime number and should return the value of y otherwise.

    Examples:
    for x_or_y(7, 34, 12) == 34
    for x_or_y(15, 8, 5) == 5

    """
'''

GET_ROW = '''def get_row(lst, x):
    """
    Examples:
    get_row([
      [1,2,3,4,5,6],
      [1,2,3,4,1,6],
      [1,2,3,4,5,1]
    ], 1) == [(0, 0), (1, 4), (1, 0), (2, 5), (2, 0)]
    get_row([], 1) == []
    """
'''

TRI = '''def tri(n):
    """Tribonacci sequence is defined by the recurrence:
    tri(1) = 3
    tri(n) = 1 + n / 2, if n is even.
    tri(n) =  tri(n - 1) + tri(n - 2) + tri(n + 1), if n is odd.
    For example:
    tri(2) = 1 + (2 / 2) = 2
    tri(4) = 3
    tri(3) = tri(2) + tri(1) + tri(4)
           = 2 + 3 + 3 = 8
    You are given a non-negative integer number n, you have to a return a list of the
    first n + 1 numbers of the Tribonacci sequence.
    Examples:
    tri(3) = [1, 3, 2, 8]
    """
'''

CHOOSE_NUM = '''def choose_num(x, y):
    """This function takes two positive numbers x and y and returns the
    biggest even integer number that is in the range [x, y] inclusive. If
    there's no such number, then the function should return -1.

    For example:
    choose_num(12, 15) = 14
    choose_num(13, 12) = -1
    """
'''

FIB4 = '''def fib4(n: int):
    """The Fib4 number sequence is a sequence similar to the Fibbonacci sequnece that's defined as follows:
    fib4(0) -> 0
    fib4(1) -> 0
    fib4(n) -> fib4(n-1) + fib4(n-2) + fib4(n-3) + fib4(n-4).
    >>> fib4(5)
    4
    """
'''

CLOSEST_INTEGER = """def closest_integer(value):
    '''
    Create a function that takes a value (string) representing a number
    and returns the closest integer to it.

    Examples
    >>> closest_integer("10")
    10

    Note:
    Rounding away from zero means that if the given number is equidistant
    from two integers, the one you should return is the one that is the
    farthest from zero. For example closest_integer("14.5") should
    return 15 and closest_integer("-14.5") should return -15.
    '''
"""

IS_SIMPLE_POWER = '''def is_simple_power(x, n):
    """Your task is to write a function that returns true if a number x is a simple
    power of n and false in other cases.
    For example:
    is_simple_power(1, 4) => true
    is_simple_power(3, 2) => false
    """
'''

PLUCK = '''def pluck(arr):
    """
    Example 1:
        Input: [4,2,3]
        Output: [2, 1]
        Explanation: 2 has the smallest even value, and 2 has the smallest index.

    Example 3:
        Input: []
        Output: []
    """
'''

MAXIMUM = '''def maximum(arr, k):
    """
    Given an array arr of integers and a positive integer k, return a sorted list
    of length k with the maximum k numbers in arr.

    Example 1:

        Input: arr = [-3, -4, 5], k = 3
        Output: [-4, -3, 5]

    Example 3:

        Input: arr = [-3, 2, 1, 2, -1, -2, 1], k = 1
        Output: [2]
    """
'''

MAX_FILL = '''def max_fill(grid, capacity):
    """
    Example 1:
        Input:
            grid : [[0,0,1,0], [0,1,0,0], [1,1,1,1]]
            bucket_capacity : 1
        Output: 6
    """
'''

SUM_SQUARES = '''def sum_squares(lst):
    """"
    Examples:
    For lst = [1,2,3] the output should be 6
    For lst = []  the output should be 0
    For lst = [-1,-5,2,-1,-5]  the output should be -126
    """
'''

REVERSE_DELETE = '''def reverse_delete(s,c):
    """Task
    Example
    For s = "abcde", c = "ae", the result should be ('bcd',False)
    For s = "abcdedcba", c = "ab", the result should be ('cdedc',True)
    """
'''

GRADE_EQUATION = '''def numerical_letter_grade(grades):
    """
    Example:
    grade_equation([4.0, 3, 1.7, 2, 3.5]) ==> ['A+', 'B', 'C-', 'C', 'A-']
    """
'''

TWO_SUM = '''def two_sum(nums: list[int], target: int) -> list[int]:
    """Given an array of integers nums and an integer target, return indices of the two
    numbers such that they add up to target.

    Example 1:

    Input: nums = [2,7,11,15], target = 9
    Output: [0,1]
    Explanation: Because nums[0] + nums[1] == 9, we return [0, 1].

    Example 2:

    Input: nums = [3,2,4], target = 6
    Output: [1,2]
    """
'''

STATISTICS_MEAN = '''def mean(data):
    """Return the sample arithmetic mean of data.

    >>> mean([1, 2, 3, 4, 4])
    2.8

    >>> from fractions import Fraction as F
    >>> mean([F(3, 7), F(1, 21), F(5, 3), F(1, 3)])
    Fraction(13, 21)

    If ``data`` is empty, StatisticsError will be raised.
    """
'''

STATISTICS_MEDIAN = '''def median(data):
    """Return the median (middle value) of numeric data.

    When the number of data points is odd, return the middle data point.
    When the number of data points is even, the median is interpolated by
    taking the average of the two middle values:

    >>> median([1, 3, 5])
    3
    >>> median([1, 3, 5, 7])
    4.0

    """
'''

DOCTEST_FACTORIAL = '''def factorial(n):
    """Return the factorial of n, an exact integer >= 0.

    >>> [factorial(n) for n in range(6)]
    [1, 1, 2, 6, 24, 120]
    >>> factorial(30)
    265252859812191058636308480000000
    >>> factorial(-1)
    Traceback (most recent call last):
        ...
    ValueError: n must be >= 0
    """
'''

EDABIT_ADDITION = """Create a function that takes two numbers as arguments and returns their sum.

Examples
addition(3, 2) ➞ 5
addition(-3, -6) ➞ -9
addition(7, 3) ➞ 10
"""

# Made up, for an edge each.
ARROWS_IN_STRINGS = '''def to_arrow(text: str) -> str:
    """Replace every "==" in text by "->".

    >>> to_arrow("a == b")
    'a -> b'
    to_arrow("x==y==z") == "x->y->z"
    to_arrow("->") -> "->"
    """
'''

DOCTEST_SETUP = '''def total(items):
    """The sum of the items.

    >>> items = [1, 2, 3]
    >>> total(items)
    6
    >>> total(items + [4])
    10
    """
'''

DOCTEST_PRINT = '''def show(x):
    """
    >>> print(show(3))
    three
    >>> show(3)
    'three'
    """
'''

TASK_SENTENCE = (
    "Write a function count_vowels(s) that counts the vowels of s; for example "
    "count_vowels('hello') should return 2, and count_vowels('xyz') returns 0."
)

SIGNATURE_ARROW = '''def answer() -> None:
    """Print the answer."""
'''

MBPP_SIMILAR_ELEMENTS = """Write a function to find the shared elements from the given two lists.
assert set(similar_elements((3, 4, 5, 6),(5, 7, 4, 10))) == set((4, 5))
assert set(similar_elements((1, 2, 3, 4),(5, 4, 3, 7))) == set((3, 4))
"""

MBPP_IS_CLOSE = """Write a function to find the volume of a sphere.
assert math.isclose(volume_sphere(10), 4188.790204786391, rel_tol=0.001)
"""

# Made up, in the Markdown a user types.
MARKDOWN = (
    "Write `slugify(text)`. For example `slugify('Hello World')` should return "
    "`'hello-world'`, and `slugify('a  b')` → `'a-b'`."
)

SIGNATURE_IN_PROSE = "Write `main() -> None`, which reads a name from stdin and greets it."

# (text, functions, the checks' sources)
EXAMPLES = [
    pytest.param(
        HAS_CLOSE_ELEMENTS,
        ["has_close_elements"],
        [
            "assert has_close_elements([1.0, 2.0, 3.0], 0.5) == False",
            "assert has_close_elements([1.0, 2.8, 3.0, 4.0, 5.0, 2.0], 0.3) == True",
        ],
        id="doctest",
    ),
    pytest.param(
        LONGEST,
        ["longest"],
        [
            "assert longest([]) == None",
            "assert longest(['a', 'b', 'c']) == 'a'",
            "assert longest(['a', 'bb', 'ccc']) == 'ccc'",
        ],
        id="doctest-no-output-is-None",
    ),
    pytest.param(
        MAKE_PALINDROME,
        ["is_palindrome", "make_palindrome"],
        ["assert make_palindrome('') == ''", "assert make_palindrome('cat') == 'catac'"],
        id="doctest-after-helper",
    ),
    pytest.param(
        TRUNCATE_NUMBER, ["truncate_number"], ["assert truncate_number(3.5) == 0.5"], id="float"
    ),
    pytest.param(
        ODD_COUNT,
        ["odd_count"],
        [
            "assert odd_count(['1234567']) == ['the number of odd elements 4n the str4ng 4 of the 4nput.']",
            "assert odd_count(['3', '11111111']) == ['the number of odd elements 1n the str1ng 1 of "
            "the 1nput.', 'the number of odd elements 8n the str8ng 8 of the 8nput.']",
        ],
        id="doctest-output-on-two-lines",
    ),
    pytest.param(
        COUNT_NUMS,
        ["count_nums"],
        ["assert count_nums([]) == 0", "assert count_nums([-1, 11, -11]) == 1"],
        id="doctest-comparison-without-output",
    ),
    pytest.param(
        ANY_INT,
        ["any_int"],
        [
            "assert any_int(5, 2, 7) == True",
            "assert any_int(3, 2, 2) == False",
            "assert any_int(3.6, -2.2, 2) == False",
        ],
        id="heavy-arrow",
    ),
    pytest.param(ADD_EVEN_AT_ODD, ["add"], ["assert add([4, 2, 6, 7]) == 2"], id="long-arrow"),
    pytest.param(
        WORDS_STRING,
        ["words_string"],
        [
            "assert words_string('Hi, my name is John') == ['Hi', 'my', 'name', 'is', 'John']",
            "assert words_string('One, two, three, four, five, six') == "
            "['One', 'two', 'three', 'four', 'five', 'six']",
        ],
        id="equals",
    ),
    pytest.param(
        ROUNDED_AVG,
        ["rounded_avg"],
        ["assert rounded_avg(1, 5) == '0b11'", "assert rounded_avg(7, 5) == -1"],
        id="fat-arrow",
    ),
    pytest.param(
        DECIMAL_TO_BINARY,
        ["decimal_to_binary"],
        [
            "assert decimal_to_binary(15) == 'db1111db'",
            "assert decimal_to_binary(32) == 'db100000db'",
        ],
        id="comment-returns",
    ),
    pytest.param(
        FILE_NAME_CHECK,
        ["file_name_check"],
        [
            "assert file_name_check('example.txt') == 'Yes'",
            "assert file_name_check('1example.dll') == 'No'",
        ],
        id="comment-arrow-then-prose",
    ),
    pytest.param(
        MULTIPLY,
        ["multiply"],
        ["assert multiply(148, 412) == 16", "assert multiply(14, -15) == 20"],
        id="should-return-with-full-stop",
    ),
    pytest.param(
        GET_ODD_COLLATZ,
        ["get_odd_collatz"],
        ["assert get_odd_collatz(5) == [1, 5]"],
        id="returns-then-comment",
    ),
    pytest.param(
        DOUBLE_THE_DIFFERENCE,
        ["double_the_difference"],
        [
            "assert double_the_difference([1, 3, 2, 0]) == 10",
            "assert double_the_difference([-1, -2, 0]) == 0",
        ],
        id="worked-sum",
    ),
    pytest.param(
        FRUIT_DISTRIBUTION,
        ["fruit_distribution"],
        [
            "assert fruit_distribution('5 apples and 6 oranges', 19) == 8",
            "assert fruit_distribution('0 apples and 1 oranges', 3) == 2",
        ],
        id="arrow-then-worked-difference",
    ),
    pytest.param(IS_HAPPY, ["is_happy"], [], id="unquoted-strings-are-free-names"),
    pytest.param(
        FIND_MAX,
        ["find_max"],
        ["assert find_max(['name', 'of', 'string']) == 'string'"],
        id="broken-quote-skipped",
    ),
    pytest.param(
        X_OR_Y,
        ["x_or_y"],
        ["assert x_or_y(7, 34, 12) == 34", "assert x_or_y(15, 8, 5) == 5"],
        id="after-a-word",
    ),
    pytest.param(
        GET_ROW,
        ["get_row"],
        [
            "assert get_row([[1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 1, 6], [1, 2, 3, 4, 5, 1]], 1) == "
            "[(0, 0), (1, 4), (1, 0), (2, 5), (2, 0)]",
            "assert get_row([], 1) == []",
        ],
        id="call-over-lines",
    ),
    pytest.param(TRI, ["tri"], [], id="equation-defined-function"),
    pytest.param(
        CHOOSE_NUM,
        ["choose_num"],
        ["assert choose_num(12, 15) == 14", "assert choose_num(13, 12) == -1"],
        id="single-equals",
    ),
    pytest.param(
        FIB4,
        ["fib4"],
        ["assert fib4(0) == 0", "assert fib4(1) == 0", "assert fib4(5) == 4"],
        id="recurrence-terms-and-doctest",
    ),
    pytest.param(
        CLOSEST_INTEGER,
        ["closest_integer"],
        [
            "assert closest_integer('10') == 10",
            "assert closest_integer('14.5') == 15",
            "assert closest_integer('-14.5') == -15",
        ],
        id="should-return-across-a-line-break",
    ),
    pytest.param(
        IS_SIMPLE_POWER,
        ["is_simple_power"],
        ["assert is_simple_power(1, 4) == True", "assert is_simple_power(3, 2) == False"],
        id="lower-case-booleans",
    ),
    pytest.param(
        PLUCK,
        ["pluck"],
        ["assert pluck([4, 2, 3]) == [2, 1]", "assert pluck([]) == []"],
        id="input-output-one-parameter",
    ),
    pytest.param(
        MAXIMUM,
        ["maximum"],
        [
            "assert maximum([-3, -4, 5], 3) == [-4, -3, 5]",
            "assert maximum([-3, 2, 1, 2, -1, -2, 1], 1) == [2]",
        ],
        id="input-output-named",
    ),
    pytest.param(MAX_FILL, ["max_fill"], [], id="input-names-no-parameter"),
    pytest.param(
        SUM_SQUARES,
        ["sum_squares"],
        [
            "assert sum_squares([1, 2, 3]) == 6",
            "assert sum_squares([]) == 0",
            "assert sum_squares([-1, -5, 2, -1, -5]) == -126",
        ],
        id="for-x-the-output-should-be",
    ),
    pytest.param(
        REVERSE_DELETE,
        ["reverse_delete"],
        [
            "assert reverse_delete('abcde', 'ae') == ('bcd', False)",
            "assert reverse_delete('abcdedcba', 'ab') == ('cdedc', True)",
        ],
        id="for-x-y-the-result-should-be",
    ),
    pytest.param(GRADE_EQUATION, ["numerical_letter_grade"], [], id="example-of-another-name"),
    pytest.param(
        TWO_SUM,
        ["two_sum"],
        ["assert two_sum([2, 7, 11, 15], 9) == [0, 1]", "assert two_sum([3, 2, 4], 6) == [1, 2]"],
        id="leetcode",
    ),
    pytest.param(
        STATISTICS_MEAN,
        ["mean"],
        ["assert mean([1, 2, 3, 4, 4]) == 2.8"],
        id="stdlib-output-not-a-literal",
    ),
    pytest.param(
        STATISTICS_MEDIAN,
        ["median"],
        ["assert median([1, 3, 5]) == 3", "assert median([1, 3, 5, 7]) == 4.0"],
        id="stdlib-doctest",
    ),
    pytest.param(
        DOCTEST_FACTORIAL,
        ["factorial"],
        [
            "assert [factorial(n) for n in range(6)] == [1, 1, 2, 6, 24, 120]",
            "assert factorial(30) == 265252859812191058636308480000000",
            "try:\n    factorial(-1)\nexcept ValueError:\n    pass\n"
            "else:\n    raise AssertionError('factorial(-1) raises ValueError')",
        ],
        id="doctest-traceback",
    ),
    pytest.param(
        EDABIT_ADDITION,
        ["addition"],
        [
            "assert addition(3, 2) == 5",
            "assert addition(-3, -6) == -9",
            "assert addition(7, 3) == 10",
        ],
        id="task-text",
    ),
    pytest.param(
        ARROWS_IN_STRINGS,
        ["to_arrow"],
        [
            "assert to_arrow('a == b') == 'a -> b'",
            "assert to_arrow('x==y==z') == 'x->y->z'",
            "assert to_arrow('->') == '->'",
        ],
        id="operators-inside-strings",
    ),
    pytest.param(
        DOCTEST_SETUP,
        ["total"],
        [
            "items = [1, 2, 3]\nassert total(items) == 6",
            "items = [1, 2, 3]\nassert total(items + [4]) == 10",
        ],
        id="doctest-statements",
    ),
    pytest.param(
        DOCTEST_PRINT, ["show"], ["assert show(3) == 'three'"], id="printed-output-skipped"
    ),
    pytest.param(
        TASK_SENTENCE,
        ["count_vowels"],
        ["assert count_vowels('hello') == 2", "assert count_vowels('xyz') == 0"],
        id="in-a-sentence",
    ),
    pytest.param(
        MBPP_SIMILAR_ELEMENTS,
        ["similar_elements"],
        [
            "assert set(similar_elements((3, 4, 5, 6), (5, 7, 4, 10))) == set((4, 5))",
            "assert set(similar_elements((1, 2, 3, 4), (5, 4, 3, 7))) == set((3, 4))",
        ],
        id="assert-lines",
    ),
    pytest.param(MBPP_IS_CLOSE, ["volume_sphere"], [], id="assert-line-with-a-module"),
    pytest.param(
        MARKDOWN,
        ["slugify"],
        ["assert slugify('Hello World') == 'hello-world'", "assert slugify('a  b') == 'a-b'"],
        id="markdown",
    ),
    pytest.param(SIGNATURE_ARROW, ["answer"], [], id="signature-arrow-is-no-example"),
    pytest.param(SIGNATURE_IN_PROSE, ["main"], [], id="signature-in-prose-is-no-example"),
]


@pytest.mark.parametrize(("text", "functions", "sources"), EXAMPLES)
def test_extract_examples(text: str, functions: list[str], sources: list[str]) -> None:
    assert [c.source for c in extract_examples(text, functions)] == sources


@pytest.mark.parametrize(("text", "functions", "sources"), EXAMPLES)
def test_every_extracted_check_is_an_example_that_parses(
    text: str, functions: list[str], sources: list[str]
) -> None:
    for check in extract_examples(text, functions):
        ast.parse(check.source)
        assert check.origin == "example"


def test_the_label_is_the_assert_without_assert() -> None:
    (check,) = extract_examples(TRUNCATE_NUMBER, ["truncate_number"])
    assert check == Check(
        "assert truncate_number(3.5) == 0.5", "example", "truncate_number(3.5) == 0.5"
    )


def test_the_label_of_an_exception_says_what_is_raised() -> None:
    checks = extract_examples(DOCTEST_FACTORIAL, ["factorial"])
    assert checks[-1].label == "factorial(-1) raises ValueError"


def test_examples_of_functions_not_asked_for_are_left_out() -> None:
    assert extract_examples(MAKE_PALINDROME, ["is_palindrome"]) == []


def test_no_functions_give_no_examples() -> None:
    assert extract_examples(HAS_CLOSE_ELEMENTS, []) == []


def test_an_example_written_twice_is_taken_once() -> None:
    text = "Examples:\n>>> add(2, 3)\n5\nadd(2, 3) == 5\nadd(2,3) -> 5\n"
    assert [c.source for c in extract_examples(text, ["add"])] == ["assert add(2, 3) == 5"]


def test_a_comparison_output_is_bracketed() -> None:
    text = ">>> is_even(4) or is_even(5)\nTrue\n"
    (check,) = extract_examples(text, ["is_even"])
    assert check.source == "assert (is_even(4) or is_even(5)) == True"


def test_a_doctest_comparison_printing_true_is_the_comparison() -> None:
    text = ">>> add(2, 3) == 5\nTrue\n"
    (check,) = extract_examples(text, ["add"])
    assert check.source == "assert add(2, 3) == 5"


def test_a_check_holds_on_a_right_solution() -> None:
    namespace: dict[str, object] = {}
    exec("def truncate_number(number):\n    return number % 1.0\n", namespace)
    for check in extract_examples(TRUNCATE_NUMBER, ["truncate_number"]):
        exec(check.source, namespace)


def test_an_exception_check_fails_on_code_that_does_not_raise() -> None:
    namespace: dict[str, object] = {}
    exec("def factorial(n):\n    return 1\n", namespace)
    check = extract_examples(DOCTEST_FACTORIAL, ["factorial"])[-1]
    with pytest.raises(AssertionError, match="raises ValueError"):
        exec(check.source, namespace)


def test_an_exception_check_holds_on_code_that_raises() -> None:
    namespace: dict[str, object] = {}
    exec("def factorial(n):\n    raise ValueError('n must be >= 0')\n", namespace)
    exec(extract_examples(DOCTEST_FACTORIAL, ["factorial"])[-1].source, namespace)


# --- entry_point --------------------------------------------------------------------------------

ENTRY_POINTS = [
    pytest.param(HAS_CLOSE_ELEMENTS, "has_close_elements", id="docstring-only"),
    pytest.param(MAKE_PALINDROME, "make_palindrome", id="after-a-helper"),
    pytest.param("def f(x):\n    pass\n\ndef g(x):\n    return x\n", "f", id="pass"),
    pytest.param("def f(x):\n    return x\n\ndef g(x): ...\n", "g", id="ellipsis"),
    pytest.param("def f(x):\n    return x\n\ndef g(x):\n    return 2\n", "g", id="all-done"),
    pytest.param('async def fetch(url):\n    """Fetch url."""\n', "fetch", id="async"),
    pytest.param("import math\nX = 1\n", None, id="no-function"),
    pytest.param("def f(x:\n", None, id="does-not-parse"),
    pytest.param(
        'class Stack:\n    def push(self, x):\n        """Push."""\n', None, id="only-methods"
    ),
]


@pytest.mark.parametrize(("stub", "name"), ENTRY_POINTS)
def test_entry_point(stub: str, name: str | None) -> None:
    assert entry_point(stub) == name


# --- mentions_examples --------------------------------------------------------------------------

MENTIONS = [
    pytest.param(
        "Given nums, return the sum.\n\nExample 1:\nInput: nums = [1,2]\nOutput: 3\n",
        True,
        id="input-output",
    ),
    pytest.param(
        "Write a function f(n). For example, if the input is 5 the output should be 120.",
        True,
        id="the-output-should-be",
    ),
    pytest.param(
        "Sort a list of words by length. For example, ['bb', 'a'] becomes ['a', 'bb'].",
        True,
        id="for-example-with-values",
    ),
    pytest.param(IS_HAPPY, True, id="arrows-left-untaken"),
    pytest.param(MAX_FILL, True, id="input-output-untaken"),
    pytest.param(
        '''def digits_sum(n):
    """Given a positive integer N, return the total sum of its digits in binary.

    Example
        For N = 1000, the sum of digits will be 1 the output should be "1".
    """
''',
        True,
        id="sentence-untaken",
    ),
    pytest.param(HAS_CLOSE_ELEMENTS, False, id="doctests-all-taken"),
    pytest.param(MAXIMUM, False, id="input-output-all-taken"),
    pytest.param(SUM_SQUARES, False, id="sentences-all-taken"),
    pytest.param(WORDS_STRING, False, id="example-heading-then-taken-lines"),
    pytest.param("Write a function that returns the n-th Fibonacci number", False, id="no-example"),
    pytest.param(
        '''def encode_cyclic(s: str):
    """
    returns encoded string by cycling groups of three characters.
    """
    groups = [(group[1:] + group[0]) if len(group) == 3 else group for group in groups]
    return "".join(groups)


def decode_cyclic(s: str):
    """
    takes as input string encoded with encode_cyclic function. Returns decoded string.
    """
''',
        False,
        id="code-is-not-prose",
    ),
]


@pytest.mark.parametrize(("text", "mentions"), MENTIONS)
def test_mentions_examples(text: str, mentions: bool) -> None:
    assert mentions_examples(text) is mentions


# --- checks_from_reply --------------------------------------------------------------------------

REPLIES = [
    pytest.param(
        "Here are some tests:\n```python\nassert add(2, 3) == 5\nassert add(-1, 1) == 0\n```\n"
        "They cover the basics.",
        ["assert add(2, 3) == 5", "assert add(-1, 1) == 0"],
        id="fenced",
    ),
    pytest.param(
        "assert add(2, 3) == 5\n# edge\nassert add(0, 0) == 0\n",
        ["assert add(2, 3) == 5", "assert add(0, 0) == 0"],
        id="unfenced-with-comments",
    ),
    pytest.param(
        "```python\nadd(2, 3) == 5\nadd(1, 1) -> 2\n```",
        ["assert add(2, 3) == 5"],
        id="bare-comparison",
    ),
    pytest.param(
        "```python\nassert add(2, 3) == 5, 'two and three'\n```",
        ["assert add(2, 3) == 5"],
        id="message-dropped",
    ),
    pytest.param(
        "```python\nassert add(\n    [1, 2],\n    [3],\n) == [1, 2, 3]\n```",
        ["assert add([1, 2], [3]) == [1, 2, 3]"],
        id="over-lines",
    ),
    pytest.param(
        "```python\nassert add(x, 1) == 2\nassert sub(3, 1) == 2\nassert 1 + 1 == 2\n```",
        [],
        id="free-names-other-functions-no-call",
    ),
    pytest.param(
        "```text\nassert add(2, 3) == 5\n```\n```python\nassert add(1, 2) == 3\n```",
        ["assert add(1, 2) == 3"],
        id="only-python-fences",
    ),
    pytest.param(
        "```python\nassert add(2, 3) == 5\nassert add(2, 3) == 5\n",
        ["assert add(2, 3) == 5"],
        id="unclosed-fence-and-duplicate",
    ),
    pytest.param(
        "```python\nassert not is_empty([1])\nassert len(add([1], [2])) == 2\n```",
        ["assert len(add([1], [2])) == 2"],
        id="call-inside",
    ),
    pytest.param(
        "```python\ndef test_add():\n    assert add(2, 3) == 5\n```",
        ["assert add(2, 3) == 5"],
        id="inside-a-test-function",
    ),
]


@pytest.mark.parametrize(("reply", "sources"), REPLIES)
def test_checks_from_reply(reply: str, sources: list[str]) -> None:
    checks = checks_from_reply(reply, ["add"], origin="model")
    assert [c.source for c in checks] == sources


def test_checks_from_reply_keeps_the_origin_given() -> None:
    (check,) = checks_from_reply("assert add(2, 3) == 5", ["add"], origin="user")
    assert check == Check("assert add(2, 3) == 5", "user", "add(2, 3) == 5")


def test_checks_from_reply_stops_at_the_limit() -> None:
    reply = "\n".join(f"assert add({n}, 1) == {n + 1}" for n in range(20))
    checks = checks_from_reply(reply, ["add"], origin="model", limit=3)
    assert [c.label for c in checks] == ["add(0, 1) == 1", "add(1, 1) == 2", "add(2, 1) == 3"]


def test_checks_from_reply_has_a_default_limit_of_ten() -> None:
    reply = "\n".join(f"assert add({n}, 1) == {n + 1}" for n in range(20))
    assert len(checks_from_reply(reply, ["add"], origin="model")) == 10
