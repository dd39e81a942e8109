"""Eine Erzählung, geschrieben für das Beispiel (deutsch). make_sample.py setzt den alten
Gutenberg-Kopf ("*END*THE SMALL PRINT!") davor: die ältere Variante der Markierungen."""

TITLE = "Der Uhrmacher von Kellbach"
AUTHOR = "Anna Brenner"
LANGUAGE = "German"

CHAPTERS = [
    (
        "Erstes Kapitel",
        """In dem kleinen Städtchen Kellbach, das zwischen zwei bewaldeten Hügeln an einem schmalen Fluss liegt, lebte vor vielen Jahren ein Uhrmacher namens Konrad Weiler. Seine Werkstatt befand sich im Erdgeschoss eines schiefen Fachwerkhauses am Marktplatz, und durch das Fenster konnte man ihn den ganzen Tag über an seinem Tisch sitzen sehen, eine Lupe vor dem Auge und eine feine Pinzette in der Hand.

Weiler war kein gesprächiger Mann. Wenn jemand eine Uhr zur Reparatur brachte, nahm er sie wortlos entgegen, hielt sie ans Ohr, öffnete das Gehäuse und betrachtete das Werk eine ganze Weile. Dann nannte er einen Tag, an dem sie fertig sein würde, und an diesem Tag war sie fertig, niemals früher und niemals später. Die Leute sagten, man könne nach Weilers Versprechen die Kirchenglocken stellen.

Die Kirchenglocken selbst aber gingen falsch. Die große Turmuhr von Sankt Michael, die über dem Marktplatz thronte, war seit Jahren aus dem Takt. Manchmal eilte sie vor, manchmal blieb sie zurück, und an kalten Wintertagen stand sie oft ganz still. Der Pfarrer hatte mehrmals Handwerker aus der Stadt kommen lassen, doch keiner hatte den Fehler gefunden, und jede Reparatur hatte nur ein paar Wochen gehalten.

Die Bürger von Kellbach hatten sich daran gewöhnt. Wer pünktlich sein wollte, schaute nicht auf den Turm, sondern auf die kleine Uhr im Fenster des Uhrmachers, die immer richtig ging. So kam es, dass sich jeden Morgen vor Weilers Werkstatt Menschen versammelten, die auf dem Weg zur Arbeit kurz stehen blieben und ihre Taschenuhren verglichen."""
    ),
    (
        "Zweites Kapitel",
        """Eines Tages im Herbst kam der Pfarrer selbst in die Werkstatt. Er war ein freundlicher alter Herr mit einer Vorliebe für Äpfel, und er brachte dem Uhrmacher einen ganzen Korb davon mit. Er stellte den Korb auf den Tisch, setzte sich auf den einzigen freien Stuhl und bat Weiler, sich die Turmuhr anzusehen.

Weiler schwieg lange. Schließlich sagte er, er sei ein Uhrmacher für Taschenuhren und Wanduhren, nicht für Türme. Die Räder dort oben seien so groß wie Wagenräder, und er wisse nicht, ob seine Hände für eine solche Arbeit taugten. Der Pfarrer lächelte nur und sagte, eine Uhr sei eine Uhr, ob groß oder klein, und niemand in der ganzen Gegend verstehe so viel von der Zeit wie er.

Am nächsten Sonntag, nach dem Gottesdienst, stieg Weiler zum ersten Mal die enge Wendeltreppe des Kirchturms hinauf. Oben, in einer staubigen Kammer unter den Glocken, stand das Uhrwerk: ein Gestell aus Eisen, groß wie ein Schrank, voller Zahnräder, Hebel und Wellen. Ein langes Pendel schwang langsam hin und her, und durch die Ritzen zwischen den Brettern pfiff der Wind.

Weiler setzte sich auf eine Kiste und sah dem Pendel eine Stunde lang zu, ohne etwas anzufassen. Dann holte er ein kleines Notizbuch hervor und begann, Zahlen aufzuschreiben: die Zahl der Zähne an jedem Rad, die Länge des Pendels, die Zeit, die es für einen Schlag brauchte. Als er am Abend wieder herunterkam, war es schon dunkel, und seine Hände waren schwarz von altem Öl."""
    ),
    (
        "Drittes Kapitel",
        """Drei Wochen lang stieg Weiler jeden Abend auf den Turm, nachdem er seine Werkstatt geschlossen hatte. Er reinigte die Räder, ersetzte ein verbogenes Stück Draht und ölte die Lager mit einem feinen Öl, das er selbst aus Knochen gewann. Doch die Uhr ging weiterhin falsch, und an einem kalten Morgen blieb sie wieder stehen.

Die Leute begannen zu spotten. Der berühmte Uhrmacher, sagten sie, habe sich an einer Aufgabe verhoben, die eben doch zu groß für ihn sei. Weiler hörte das Gerede, aber er antwortete nicht. Er stieg weiter jeden Abend auf den Turm und saß dort oft bis Mitternacht, das Notizbuch auf den Knien.

Eines Nachts bemerkte er etwas, das ihm bisher entgangen war. Wenn der Wind von Westen kam, drückte er durch eine Lücke in der Wand gegen das Pendel, gerade stark genug, um es bei jedem Schlag ein wenig abzubremsen. Und wenn es kalt wurde, zog sich die lange eiserne Pendelstange zusammen, sodass die Uhr schneller lief. Die Handwerker aus der Stadt waren immer nur im Sommer gekommen, bei ruhigem Wetter, und hatten deshalb nichts davon gesehen.

Weiler lachte laut auf, allein in der dunklen Kammer, zum ersten Mal seit vielen Jahren. Am nächsten Tag ließ er vom Schreiner die Lücke in der Wand verschließen und baute aus einem Stück Holz und zwei Messingstreifen ein neues Pendel, das sich bei Kälte kaum veränderte. Es war eine alte Erfindung, die er in einem Buch gelesen hatte, aber niemand in Kellbach hatte je davon gehört."""
    ),
    (
        "Viertes Kapitel",
        """Von diesem Tag an ging die Turmuhr von Sankt Michael so genau wie die kleine Uhr im Fenster der Werkstatt. Die Bürger von Kellbach staunten, und bald wollte niemand mehr zugeben, dass er je über den Uhrmacher gespottet hatte. Der Pfarrer brachte einen zweiten Korb Äpfel, diesmal einen besonders großen, und der Bürgermeister hielt eine kurze Rede auf dem Marktplatz.

Weiler stand während der Rede am Rand, die Hände in den Taschen, und sah zum Turm hinauf. Als man ihn aufforderte, ein paar Worte zu sagen, schüttelte er nur den Kopf. Später erzählte er dem Pfarrer, die Uhr habe ihm die Lösung selbst gezeigt, man habe ihr nur lange genug zuhören müssen.

Er blieb der Hüter der Turmuhr bis an sein Lebensende. Jeden Sonntag stieg er die Wendeltreppe hinauf, prüfte das Werk und zog die schweren Gewichte auf. Als er zu alt wurde für die vielen Stufen, nahm er einen Lehrling, einen stillen Jungen aus dem Nachbardorf, dem er alles beibrachte, was er wusste, auch das Zuhören.

Die kleine Uhr aus dem Fenster der Werkstatt hängt heute im Rathaus von Kellbach. Sie geht noch immer, und unter ihr hängt ein Schild mit dem Namen des Uhrmachers. Wer genau hinsieht, erkennt neben dem Zifferblatt eine winzige Gravur, die Weiler selbst angebracht haben soll: ein Pendel, und darunter das Wort Geduld."""
    ),
    (
        "Fünftes Kapitel",
        """Viele Jahre nach dem Tod des Uhrmachers kam an einem regnerischen Herbstabend eine junge Frau nach Kellbach. Sie trug einen schweren Koffer und fragte im Gasthaus am Markt nach einem Zimmer für eine Woche. Der Wirt erfuhr bald, dass sie an einer Schule in der Stadt Uhrmacherei unterrichtete und eine Arbeit über die alten Turmuhren der Gegend schreiben wollte.

Der Lehrling von damals, inzwischen selbst ein alter Mann mit weißem Bart, führte sie am nächsten Morgen auf den Turm. Er zeigte ihr das hölzerne Pendel mit den beiden Messingstreifen, die verschlossene Lücke in der Wand und das kleine Notizbuch, das Weiler ihm hinterlassen hatte. Die Seiten waren vergilbt, aber die Zahlen standen noch so klar und ordentlich da wie am ersten Tag.

Die junge Frau blätterte lange darin. Sie fand Messungen aus allen Jahreszeiten, Bemerkungen über den Wind und den Frost, und zwischen den Zahlen immer wieder kurze Sätze, die eher an ein Tagebuch erinnerten. An einem Tag im Januar hatte Weiler notiert, die Uhr sei heute stehen geblieben, aber er habe dafür etwas über die Kälte gelernt. An einem anderen Tag stand dort nur: Nicht drängen.

Als sie wieder auf den Marktplatz hinunterstiegen, schlug die Glocke gerade zwölf. Die Frau blieb stehen, zog ihre eigene Uhr aus der Tasche und verglich die Zeit. Dann lachte sie, genau wie Weiler in jener Nacht gelacht hatte, und sagte, sie werde ihren Schülern von diesem Pendel erzählen, und von dem Mann, der einer Uhr so lange zugehört habe, bis sie ihm ihr Geheimnis verriet.

Der alte Lehrling nickte nur. Er wusste, dass die Geschichte damit nicht zu Ende war, denn jede Uhr braucht jemanden, der sie aufzieht, und jede Geschichte jemanden, der sie weitererzählt.""",
    ),
]
