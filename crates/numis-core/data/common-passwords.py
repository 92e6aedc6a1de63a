#!/usr/bin/env python3
"""Writes common-passwords.txt: passwords people choose most often, as far as
they pass numis' length rule (at least 10 characters), lower-cased.

The list is built from the passwords that lead every published ranking of
leaked passwords (English and German), common German first names, words,
places and football clubs, keyboard walks of the QWERTY and QWERTZ layouts
and digit runs, each with the endings people add to reach a length rule
("123", "!", a year). Run it again after editing; the output is sorted and
has no duplicates, so a diff shows what changed.

    python3 common-passwords.py > common-passwords.txt
"""

MIN_LEN = 10
MAX_LEN = 64

# The leaders of the rankings, whatever their length (short ones become
# long with an ending).
TOP = """
123456 password 12345678 qwerty 123456789 12345 1234 111111 1234567 dragon
123123 baseball abc123 football monkey letmein 696969 shadow master 666666
qwertyuiop 123321 mustang 1234567890 michael 654321 superman 1qaz2wsx
7777777 121212 000000 qazwsx 123qwe killer trustno1 jordan jennifer zxcvbnm
asdfgh hunter buster soccer harley batman andrew tigger sunshine iloveyou
charlie robert thomas hockey ranger daniel starwars klaster 112233 george
computer michelle jessica pepper zxcvbn 555555 11111111 131313 freedom
777777 maggie 159753 aaaaaa ginger princess joshua cheese amanda summer
love ashley nicole chelsea biteme matthew access yankees 987654321 dallas
austin thunder taylor matrix welcome admin administrator login passw0rd
p@ssw0rd p@ssword whatever donald flower hello lovely qwerty123 1q2w3e4r
1q2w3e4r5t 1q2w3e zaq12wsx secret letmein123 master123 qwer1234 abcd1234
abcdef abcdefg abcdefgh google samsung apple microsoft windows linux
internet wifi default guest user root changeme pass test tester testing
access14 football1 baseball1 princess1 sunshine1 iloveyou1 monkey1
dragon1 shadow1 superman1 batman1 pokemon minecraft fortnite naruto
starwars1 blink182 liverpool arsenal manchester chelsea1 barcelona
realmadrid juventus cowboys steelers lakers eagles purple orange
yellow silver golden diamond angel angels jesus christ heaven
loveme lovelove iloveu babygirl baby girl boy princesa bonjour
welcome1 hello123 admin123 root123 test123 pass123 password1
password12 password123 qwertyui asdfghjkl zxcvbnm1 mynoob
aa123456 a123456 a12345 123abc abc12345 q1w2e3r4 q1w2e3r4t5
1a2b3c4d 147258369 147258 258369 369258147 741852963 159357
""".split()

GERMAN = """
passwort kennwort geheim geheimnis hallo hallihallo servus moin tschuess
schatz schatzi schatzilein schnucki schnuckel mausi maus mausebaer
hase hasi haeschen baerchen baer engel engelchen teufel liebe
ichliebedich ichliebedichsehr liebling lieblings sonne sonnenschein
sommer winter fruehling herbst blume blumen stern sterne mond
katze kater hund hunde pferd pferde tiger loewe drache prinzessin
prinz koenig koenigin hexe zauberer schokolade kuchen eis
familie mama papa oma opa kinder tochter sohn bruder schwester
fussball handball tennis schalke schalke04 bayern fcbayern
bayernmuenchen borussia bvb bvb09 dortmund werder werderbremen hsv
hamburg hannover96 hannover eintracht frankfurt koeln fckoeln
wolfsburg vfl vfb stuttgart gladbach union hertha freiburg
deutschland germany berlin muenchen bremen kiel dresden leipzig
niedersachsen braunschweig oldenburg osnabrueck goettingen
hildesheim celle lueneburg emden wilhelmshaven salzgitter
willkommen anmelden benutzer zugang computer internet handy
telefon arbeit firma schule urlaub reise auto porsche mercedes
volkswagen golf opel audi bmw ferrari trabant
ficken scheisse arschloch wichser bloedmann penner
fickdich leckmich keineahnung egal nichts niemand
ichbins ichbinich einfach sicher sicherheit vergessen
qwertz qwertzuiop asdfghjkl yxcvbnm
""".split()

NAMES = """
michael thomas andreas stefan christian peter markus klaus alexander
daniel frank juergen uwe wolfgang martin tobias sebastian florian
matthias dirk jan jens sven torsten oliver patrick dennis marcel
kevin lukas leon maximilian paul jonas felix tim finn luca niklas
ben elias noah luis julian philipp moritz simon david fabian
sabine petra susanne claudia nicole andrea stefanie julia anna
lena laura lea sarah katharina jennifer sandra melanie martina
monika ursula renate karin birgit heike anja kathrin christina
sophie marie emma mia hannah emily lina johanna lisa jana vanessa
nadine jessica franziska carina tanja manuela silke kerstin
""".split()

WORDS_EN = """
dragon monkey shadow master sunshine princess football baseball
soccer hockey batman superman spiderman pokemon letmein welcome
freedom whatever trustno1 starwars computer summer winter flower
butterfly chocolate cookie banana orange secret hello lovely
killer hunter ranger thunder matrix mustang charlie jordan
""".split()

ENDINGS = [
    "", "1", "12", "123", "1234", "12345", "123456", "1234567", "12345678",
    "!", "1!", "12!", "123!", "!!", "01", "007", "69", "99", "11", "22",
    "77", "88", "2", "3", "7", "321", "111", "000", "#", "?", ".", "@123",
]

# Birth years and recent years: the endings people add most often.
YEARS = [str(y) for y in range(1960, 2027)]


def leet(word):
    return (word.replace("a", "@").replace("o", "0").replace("s", "$")
            .replace("e", "3").replace("i", "1"))


def variants(base):
    yield base
    for ending in ENDINGS:
        yield base + ending
    for year in YEARS:
        yield base + year
    yield base + base
    yield leet(base)
    yield leet(base) + "1"
    yield leet(base) + "123"
    yield leet(base) + "!"


def digit_runs():
    for d in "0123456789":
        for n in range(MIN_LEN, 21):
            yield d * n
    up = "1234567890"
    for n in range(MIN_LEN, 21):
        yield (up * 3)[:n]
        yield ("0123456789" * 3)[:n]
        yield ("9876543210" * 3)[:n]
        yield ("0987654321" * 3)[:n]
    for chunk in ["12", "123", "1234", "12345", "123456", "112233", "1122",
                  "121212", "123123", "696969", "159753", "147258369",
                  "13579", "2468", "0000", "4711", "1337", "101010"]:
        for times in range(2, 10):
            yield chunk * times
    yield from ["12345678910", "1234567891", "1234567899", "1357924680",
                "1122334455", "11223344556677", "1020304050", "0101010101",
                "1212121212", "1231231231", "9999999999", "5555555555",
                "12344321", "1234554321", "123456654321"]


def letter_runs():
    for c in "abcdefghijklmnopqrstuvwxyz":
        for n in range(MIN_LEN, 17):
            yield c * n
    yield "abcdefghijklmnopqrstuvwxyz"
    for n in range(MIN_LEN, 27):
        yield "abcdefghijklmnopqrstuvwxyz"[:n]
    yield "abcdefghij1234567890"
    yield "abcabcabcabc"
    yield "abc123abc123"


KEYBOARD = """
qwertyuiop qwertzuiop qwertyuiopasdfghjkl asdfghjkl asdfghjklö
asdfghjkl123 zxcvbnm yxcvbnm zxcvbnm123 yxcvbnm123 qwertyuiop123
qwertzuiop123 qwertzuiopü qwertyuiop1 qwertzuiop1 1q2w3e4r5t
1q2w3e4r5t6z 1q2w3e4r5t6y 1q2w3e4r5t6y7u 1q2w3e4r5t6z7u
1q2w3e4r5t6y7u8i9o0p 1qaz2wsx3edc 1qay2wsx3edc 1qaz2wsx 1qay2wsx
1qaz2wsx3edc4rfv 1qay2wsx3edc4rfv qazwsxedc qayxswedc qazwsxedcrfv
qayxswedcvfr zaq12wsx zaq1xsw2 zaq1zaq1 xsw2zaq1 1qazxsw2
qwertyqwerty qwertzqwertz asdfasdfasdf qweasdzxc qweasdyxc
qweasdzxc123 qweasdyxc123 qwerasdfzxcv qwerasdfyxcv qwer1234qwer
1234qwer 1234qwert 1234qwertz 12345qwert 12345qwertz 123456qwerty
123456qwertz qwerty12345 qwertz12345 qwerty123456 qwertz123456
qwertyuiop[] poiuytrewq lkjhgfdsa mnbvcxz mnbvcxy
1qwerty 1qwertz !qaz@wsx !qaz2wsx 1qaz!qaz
asdf1234 asdfghjk asdfgh123 asdfqwer yxcvasdf zxcvasdf
""".split()


def main():
    words = set()
    for base in TOP + GERMAN + NAMES + WORDS_EN:
        for v in variants(base):
            words.add(v)
    words.update(KEYBOARD)
    for k in KEYBOARD:
        for ending in ["1", "123", "!", "12", "1234"]:
            words.add(k + ending)
    words.update(digit_runs())
    words.update(letter_runs())
    # Names with "ichliebe"/"iloveyou" and two-name combinations of the
    # most common ones are frequent in German leaks too.
    for name in NAMES[:40]:
        words.add("ichliebe" + name)
        words.add("iloveyou" + name)
        words.add(name + "ichliebedich")
    kept = sorted(w.lower() for w in words if MIN_LEN <= len(w) <= MAX_LEN)
    print("# Common passwords of at least 10 characters, lower-cased, one a line.")
    print("# Written by common-passwords.py beside this file; numis refuses")
    print("# each of them, compared without regard to case.")
    for w in kept:
        print(w)


main()
