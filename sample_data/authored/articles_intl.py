"""German, French, Spanish, Russian and Chinese articles written for the sample crawl.

Each entry: (lang, slug, title, paragraphs). sample_data/make_sample.py wraps them in templates.
"""

ARTICLES = [
    (
        "de",
        "energiewende-im-dorf",
        "Wie ein kleines Dorf seine eigene Energie erzeugt",
        [
            "Das Dorf Altenbrück liegt in einem stillen Tal, und auf den ersten Blick unterscheidet es sich kaum von anderen Orten in der Gegend. Doch seit einigen Jahren erzeugt die Gemeinde mehr Strom, als sie selbst verbraucht. Auf den Dächern der Scheunen liegen Solarmodule, am Waldrand drehen sich zwei Windräder, und eine Biogasanlage versorgt die Häuser im Winter mit Wärme.",
            "Die Idee entstand bei einer Versammlung im Gasthaus, als die Heizölpreise stark gestiegen waren. Einige Landwirte schlugen vor, die Gülle aus ihren Ställen zu nutzen, anstatt sie nur auf die Felder zu fahren. Gemeinsam gründeten die Bewohner eine Genossenschaft, in die jeder Haushalt einen kleinen Betrag einzahlen konnte. Heute hat sie mehr als zweihundert Mitglieder.",
            "Der Bau des Wärmenetzes war die größte Herausforderung. Die Straßen mussten aufgerissen werden, und viele Familien waren skeptisch, ob sich der Aufwand lohnen würde. Nach dem ersten Winter waren die meisten überzeugt, denn die Heizkosten sanken deutlich, und niemand musste sich mehr um einen eigenen Kessel kümmern.",
            "Nicht alle Pläne wurden umgesetzt. Ein drittes Windrad scheiterte am Widerstand einiger Nachbarn, die um den Blick auf den Wald fürchteten. Der Bürgermeister sagt, dass solche Diskussionen wichtig seien, weil die Energiewende nur gelingen könne, wenn die Menschen vor Ort sie mittragen und an den Gewinnen beteiligt werden.",
            "Inzwischen kommen regelmäßig Besuchergruppen aus anderen Gemeinden nach Altenbrück. Sie wollen wissen, wie die Genossenschaft organisiert ist, welche Fehler man vermeiden sollte und wie lange es dauert, bis sich die Investitionen auszahlen. Die Antwort der Bewohner ist meistens dieselbe: Man braucht Geduld, gute Nachbarn und jemanden, der die Unterlagen ordentlich führt.",
        ],
    ),
    (
        "de",
        "wandern-schwarzwald",
        "Auf dem Westweg durch den nördlichen Schwarzwald",
        [
            "Der Westweg gehört zu den ältesten Fernwanderwegen Deutschlands und führt über mehr als zweihundert Kilometer von Pforzheim bis nach Basel. Wir sind im Herbst die ersten vier Etappen gegangen, vom Stadtrand durch dichte Wälder bis zu den Hochmooren am Kamm des Gebirges. Die Markierung, eine rote Raute auf weißem Grund, ist fast überall gut zu erkennen.",
            "Die erste Etappe ist eher gemütlich und folgt lange einem Bach, an dem früher Holz zu den Sägemühlen geflößt wurde. Danach wird es steiler, und die Wege führen über Wurzeln und Felsen. An klaren Tagen reicht der Blick von den Aussichtstürmen bis zu den Vogesen auf der anderen Seite des Rheintals.",
            "Übernachtet haben wir in einfachen Gasthöfen, die oft seit Generationen von derselben Familie geführt werden. Das Abendessen war reichlich, und fast überall gab es Kuchen mit Kirschen aus der Gegend. In der Nebensaison sollte man die Zimmer dennoch vorher reservieren, weil manche Häuser nur an wenigen Tagen in der Woche geöffnet haben.",
            "Besonders beeindruckend sind die Hochmoore rund um den Hornisgrinde. Holzstege führen über den weichen Boden, und Tafeln erklären, wie langsam das Moor wächst und warum es so empfindlich ist. Man sollte die Wege keinesfalls verlassen, auch wenn der Nebel die Orientierung manchmal schwierig macht.",
            "Wer den Westweg plant, sollte gutes Schuhwerk, Regenkleidung und genug Wasser mitnehmen, denn zwischen den Dörfern gibt es lange Abschnitte ohne Einkehrmöglichkeit. Für uns war die Wanderung eine wunderbare Gelegenheit, eine Woche lang langsamer zu leben und die Landschaft Schritt für Schritt kennenzulernen.",
        ],
    ),
    (
        "de",
        "brotkultur",
        "Warum Deutschland so viele Brotsorten hat",
        [
            "Wer zum ersten Mal eine deutsche Bäckerei betritt, ist oft überrascht von der Auswahl. In den Regalen liegen helle und dunkle Brote, Laibe mit Körnern, Brötchen in allen Formen und schwere Brote aus reinem Roggen. Fachleute schätzen, dass es im Land mehr als dreitausend verschiedene Brotsorten gibt, und die Brotkultur wurde sogar in das Verzeichnis des immateriellen Kulturerbes aufgenommen.",
            "Ein Grund für diese Vielfalt ist das Klima. Im Norden und in den Mittelgebirgen wächst Roggen besser als Weizen, und Roggenteig braucht Sauerteig, damit er aufgeht. So entstanden kräftige, lange haltbare Brote, die früher oft nur einmal in der Woche gebacken wurden. Im Süden dagegen wurde mehr Weizen angebaut, und dort sind hellere Brote und Brezeln verbreitet.",
            "Auch die vielen kleinen Fürstentümer, aus denen Deutschland lange bestand, spielten eine Rolle. Jede Region entwickelte eigene Rezepte, eigene Formen und eigene Namen. Manche Brote werden bis heute nur in wenigen Orten gebacken und sind außerhalb ihrer Heimat kaum bekannt.",
            "In den letzten Jahrzehnten mussten viele kleine Bäckereien schließen, weil Supermärkte und Backshops billiger anbieten. Gleichzeitig wächst das Interesse an handwerklich gebackenem Brot. Junge Bäckerinnen und Bäcker lassen den Teig wieder viele Stunden ruhen, verwenden alte Getreidesorten und erklären ihren Kunden, warum ein gutes Brot etwas mehr kostet.",
            "Für viele Menschen ist das Abendbrot mit Brot, Butter, Käse und Aufschnitt noch immer eine feste Gewohnheit. Ein gutes Brot gehört für sie einfach zum Alltag, und wer länger im Ausland lebt, vermisst es oft mehr als jedes andere Lebensmittel.",
        ],
    ),
    (
        "de",
        "stadtbibliothek-lesesommer",
        "Lesesommer: Kinder lesen in den Ferien mehr als erwartet",
        [
            "Die Stadtbibliothek hat in diesem Jahr zum fünften Mal einen Lesesommer für Kinder und Jugendliche veranstaltet. Wer sich anmeldete, erhielt einen Ausweis und konnte während der Ferien so viele Bücher ausleihen, wie er wollte. Nach jedem gelesenen Buch gab es ein kurzes Gespräch mit einer Mitarbeiterin und einen Stempel auf einer Karte.",
            "Mehr als achthundert Kinder haben teilgenommen, deutlich mehr als im Vorjahr. Zusammen lasen sie über sechstausend Bücher. Besonders gefragt waren Abenteuergeschichten, Comics und Sachbücher über Tiere. Viele Eltern berichteten, dass ihre Kinder zum ersten Mal freiwillig am Abend gelesen hätten, anstatt vor dem Bildschirm zu sitzen.",
            "Die Leiterin der Kinderabteilung erklärt den Erfolg mit der Freiheit bei der Auswahl. Es gebe keine Pflichtlektüre und keine Noten, nur die Freude an Geschichten. Gerade Kinder, die in der Schule Schwierigkeiten mit dem Lesen haben, fühlten sich dadurch ernst genommen und entdeckten Bücher, die wirklich zu ihnen passen.",
            "Zum Abschluss fand im Park hinter der Bibliothek ein Fest statt, bei dem alle Teilnehmenden eine Urkunde erhielten. Eine Kinderbuchautorin las aus ihrem neuen Roman, und eine Band aus der Musikschule spielte. Die Bibliothek plant, das Angebot im nächsten Jahr auf die Herbstferien auszuweiten.",
        ],
    ),
    (
        "fr",
        "marche-provencal",
        "Un samedi matin au marché de Forcalquier",
        [
            "Chaque samedi, la petite ville de Forcalquier se transforme. Dès sept heures, les camionnettes des producteurs envahissent la place du Bourguet et les ruelles voisines, et les étals se couvrent de fromages de chèvre, de miel de lavande, de légumes et de pain encore chaud. C’est l’un des marchés les plus réputés de Haute-Provence, et il attire autant les habitants que les visiteurs.",
            "Ici, la plupart des vendeurs cultivent eux-mêmes ce qu’ils proposent. Une jeune maraîchère installée depuis trois ans explique qu’elle a choisi de vendre directement pour mieux vivre de son travail et pour parler avec ses clients. Elle leur donne des conseils de cuisine, leur fait goûter des variétés anciennes de tomates et note leurs remarques dans un petit carnet.",
            "Le marché est aussi un lieu de rencontre. On s’y donne rendez-vous pour boire un café en terrasse, on échange des nouvelles du village, on discute de la pluie qui se fait attendre. Les enfants courent entre les étals pendant que les musiciens de rue jouent près de la fontaine, et il n’est pas rare que les courses durent toute la matinée.",
            "Les commerçants s’inquiètent pourtant de l’avenir. Les coûts augmentent, les jeunes agriculteurs ont du mal à trouver des terres, et certains clients préfèrent désormais les supermarchés de la vallée. La mairie a réagi en réduisant le prix des emplacements pour les nouveaux producteurs et en organisant des soirées d’été consacrées aux produits locaux.",
            "Vers midi et demi, les stands se vident peu à peu. Les derniers cageots sont rangés, la place retrouve son calme et l’odeur de lavande flotte encore un moment dans l’air. Beaucoup d’habitants le disent avec fierté : sans son marché, Forcalquier ne serait plus tout à fait la même ville.",
        ],
    ),
    (
        "fr",
        "metro-histoire",
        "La naissance du métro parisien, une aventure de douze ans",
        [
            "Lorsque la première ligne du métro de Paris a été inaugurée en juillet 1900, la ville accueillait l’Exposition universelle, et les autorités voulaient montrer au monde un moyen de transport moderne. La ligne reliait la porte de Vincennes à la porte Maillot en suivant l’axe des grands boulevards, et elle a transporté plusieurs millions de voyageurs dès ses premiers mois.",
            "Le projet avait pourtant fait l’objet de longs débats. Pendant des années, l’État et la ville de Paris s’étaient opposés sur la question de savoir qui devait construire et exploiter le réseau. Les compagnies de chemin de fer souhaitaient relier leurs gares par des lignes à grand gabarit, tandis que la ville voulait un réseau local, aux voies étroites, qui resterait sous son contrôle.",
            "L’ingénieur Fulgence Bienvenüe a dirigé les travaux avec une énergie remarquable. Les ouvriers creusaient souvent à ciel ouvert, en éventrant les rues, ce qui provoquait la colère des commerçants. Dans les quartiers où le sol était instable, il a fallu inventer des techniques nouvelles, comme la congélation du terrain sous la Seine.",
            "Les entrées dessinées par Hector Guimard, avec leurs courbes inspirées des plantes, ont d’abord été critiquées. Beaucoup de Parisiens les trouvaient étranges et peu lisibles. Aujourd’hui, elles sont devenues l’un des symboles de la ville, et plusieurs d’entre elles ont été offertes à d’autres capitales.",
            "En une douzaine d’années, le réseau s’est étendu rapidement, et il a profondément changé la vie quotidienne. Les ouvriers pouvaient habiter plus loin de leur lieu de travail, les quartiers périphériques se sont développés, et le métro est entré dans la culture populaire, des chansons aux romans policiers.",
        ],
    ),
    (
        "fr",
        "compostage-quartier",
        "Le compostage de quartier gagne du terrain en ville",
        [
            "Au pied d’un immeuble du onzième arrondissement, trois grands bacs en bois attirent chaque matin des habitants munis de petits seaux. Ils y déposent leurs épluchures, leur marc de café et leurs coquilles d’œufs. Depuis deux ans, ce composteur collectif est géré par une association de voisins, et il traite plusieurs tonnes de déchets par an.",
            "Le principe est simple. Les déchets de cuisine sont mélangés avec des feuilles mortes ou du broyat de bois, puis les micro-organismes et les petits animaux du sol les transforment lentement en compost. Au bout de quelques mois, on obtient une matière sombre qui sent la terre de forêt et qui sert à nourrir les jardinières et les arbres de la rue.",
            "Les bénévoles tiennent une permanence deux fois par semaine pour accueillir les nouveaux participants et leur expliquer ce qu’on peut mettre dans les bacs. La viande, le poisson et les restes de plats cuisinés sont à éviter, car ils attirent les rats et produisent de mauvaises odeurs. Un panneau résume les règles en plusieurs langues.",
            "Pour beaucoup d’habitants, le composteur est devenu bien plus qu’un geste écologique. Des voisins qui se croisaient sans se parler ont appris à se connaître, et l’association organise maintenant des repas partagés et des ateliers de jardinage pour les enfants. La mairie soutient ces initiatives en fournissant le matériel et une formation gratuite.",
            "Les responsables rappellent toutefois que le compost ne suffit pas à résoudre le problème des déchets. Selon eux, la meilleure solution reste de gaspiller moins de nourriture et d’acheter des produits avec moins d’emballages. Mais chaque seau vidé dans les bacs est un petit pas dans la bonne direction.",
        ],
    ),
    (
        "fr",
        "velo-ete-amateur",
        "Dans la roue des cyclistes amateurs qui gravissent le Ventoux",
        [
            "Chaque été, des milliers de cyclistes amateurs viennent du monde entier pour gravir le mont Ventoux. La montée depuis Bédoin, longue de vingt et un kilomètres, est l’une des plus célèbres du cyclisme. Les premiers kilomètres traversent des vignes et des cerisiers, puis la route entre dans une forêt où la pente devient sévère et ne laisse presque aucun répit.",
            "Au chalet Reynard, la forêt disparaît et laisse place à un paysage de cailloux blancs qui brille sous le soleil. C’est là que le vent, souvent violent, rend les derniers kilomètres si difficiles. Les cyclistes avancent lentement, certains s’arrêtent pour reprendre leur souffle, d’autres se font encourager par leur famille qui les suit en voiture.",
            "Nous avons rencontré un retraité belge de soixante-douze ans qui montait pour la dixième fois. Il explique qu’il s’entraîne toute l’année pour ce moment et qu’il ne cherche pas à battre un record. Ce qui compte pour lui, c’est d’arriver en haut, de regarder la vallée du Rhône et de redescendre tranquillement en pensant déjà à l’année suivante.",
            "Les médecins de la région rappellent que l’effort n’est pas anodin. Il faut partir tôt le matin pour éviter la chaleur, emporter assez d’eau et connaître ses limites. Chaque saison, des secouristes interviennent pour des coups de chaleur ou des chutes dans la descente, qui est rapide et parfois dangereuse.",
            "Au sommet, près de l’antenne météorologique, l’ambiance est joyeuse. On se prend en photo devant le panneau, on partage des barres de céréales et des histoires de défaillance. Pour beaucoup, c’est le souvenir d’une vie de cycliste.",
        ],
    ),
    (
        "es",
        "tapas-sevilla",
        "Una ruta de tapas por el barrio de Triana",
        [
            "Triana, al otro lado del río Guadalquivir, es uno de los barrios más auténticos de Sevilla. Durante siglos fue el hogar de marineros, alfareros y artistas flamencos, y todavía conserva calles estrechas, patios llenos de flores y bares donde los vecinos se reúnen cada tarde. Recorrerlo de tapa en tapa es una de las mejores maneras de conocer la ciudad.",
            "Empezamos en el mercado, junto al puente de Isabel II, donde varios puestos preparan pescado frito y pequeños platos de marisco. Luego seguimos por la calle Betis, con vistas a la Torre del Oro, y entramos en una taberna que abrió sus puertas hace más de cien años. Allí probamos unas espinacas con garbanzos, un plato sencillo que los sevillanos comen desde hace generaciones.",
            "En Sevilla las tapas no son solo comida. Son una forma de pasar el tiempo con los amigos, de conversar de pie en la barra y de cambiar de lugar varias veces a lo largo de la noche. Los camareros recuerdan a los clientes habituales y apuntan la cuenta con tiza en el mostrador, una costumbre que sorprende a muchos visitantes.",
            "Más tarde, en una plaza cercana a la iglesia de Santa Ana, pedimos queso de cabra, berenjenas con miel y un vaso de vino fresco de la provincia. Un grupo de jóvenes cantaba y tocaba palmas en una mesa vecina, y nadie parecía tener prisa por volver a casa.",
            "Para disfrutar de la ruta conviene salir después de las ocho, cuando baja el calor, y no pedir demasiado en cada sitio. Lo importante es probar un poco de todo, dejarse aconsejar y aceptar que en Triana la noche siempre termina más tarde de lo previsto.",
        ],
    ),
    (
        "es",
        "camino-santiago",
        "Lo que aprendí caminando ochocientos kilómetros hasta Santiago",
        [
            "Hace dos años decidí recorrer el Camino Francés desde Saint-Jean-Pied-de-Port hasta Santiago de Compostela. Tardé treinta y cuatro días en llegar, y durante ese tiempo atravesé montañas, viñedos, campos de trigo y pequeños pueblos donde parecía que el tiempo se había detenido. No soy una persona religiosa, pero el viaje cambió mi manera de ver muchas cosas.",
            "La primera lección fue sobre el equipaje. Salí con una mochila demasiado pesada y, al tercer día, envié a casa la mitad de lo que llevaba. Descubrí que se puede vivir muy bien con dos camisetas, un par de calcetines de repuesto y un saco de dormir ligero. Cada gramo de menos se agradece cuando se caminan veinticinco kilómetros al día.",
            "La segunda lección fue sobre las personas. En los albergues compartía habitación con peregrinos de todas las edades y de muchos países. Algunos caminaban por motivos de fe, otros para superar una pérdida o simplemente para pensar. Las conversaciones al final del día, mientras cuidábamos nuestras ampollas, eran sinceras de una forma que rara vez encuentro en la vida cotidiana.",
            "También aprendí a aceptar el cansancio y la lluvia. En la meseta, entre Burgos y León, los días parecen iguales y el paisaje apenas cambia. Muchos peregrinos abandonan en esa etapa, pero para mí fue la más importante, porque me obligó a caminar sin distracciones y a escuchar mis propios pensamientos.",
            "Cuando por fin llegué a la plaza del Obradoiro, me senté en el suelo frente a la catedral y no sentí la euforia que esperaba, sino una calma profunda. Desde entonces intento llevar un poco de esa calma a mi vida en la ciudad, aunque no siempre lo consigo.",
        ],
    ),
    (
        "es",
        "reciclaje-barrio",
        "El barrio que redujo a la mitad su basura en un año",
        [
            "Los vecinos del barrio de San Lorenzo, en una ciudad mediana del norte de España, se propusieron hace un año un reto ambicioso: reducir a la mitad la cantidad de basura que generaban. Con la ayuda del ayuntamiento y de varias asociaciones, organizaron talleres, instalaron contenedores nuevos y crearon un punto de intercambio de objetos en un antiguo local comercial.",
            "El cambio más visible fue la recogida de residuos orgánicos. Cada familia recibió un cubo marrón y una guía sencilla sobre qué podía depositar en él. Al principio hubo errores y algunas quejas por los olores, pero en pocos meses la calidad de la separación mejoró tanto que la planta de compostaje felicitó al barrio.",
            "El punto de intercambio se convirtió en un lugar de encuentro. Allí se dejan ropa, libros, juguetes y pequeños electrodomésticos que todavía funcionan, y cualquiera puede llevarse lo que necesite. Un grupo de jubilados repara bicicletas y lámparas dos tardes por semana, y enseña a los jóvenes a hacerlo.",
            "Los comercios también participaron. Varias tiendas empezaron a vender productos a granel y a aceptar los envases que traían los clientes. La panadería del barrio ofrece un pequeño descuento a quien lleva su propia bolsa de tela, una medida que ha tenido mucho éxito entre los vecinos mayores.",
            "Al cabo de doce meses, las cifras mostraron una reducción del cuarenta y ocho por ciento en la basura que iba al vertedero. No llegaron exactamente a la mitad, pero los vecinos están satisfechos y ya preparan nuevos objetivos para el próximo año.",
        ],
    ),
    (
        "es",
        "siesta-trabajo",
        "¿Sigue existiendo la siesta en la España de hoy?",
        [
            "Fuera de España, la siesta es uno de los tópicos más conocidos sobre el país. Muchos extranjeros imaginan que todo el mundo duerme después de comer y que las oficinas cierran durante horas. La realidad es bastante distinta, y las encuestas muestran que solo una minoría de los españoles duerme la siesta con regularidad durante la semana.",
            "La costumbre tiene raíces antiguas y está relacionada con el clima. En los meses de verano, en el sur del país, las temperaturas de la tarde hacen muy difícil trabajar al aire libre. Por eso, en el campo, era habitual descansar a la sombra durante las horas de más calor y retomar las tareas cuando bajaba el sol.",
            "En las ciudades, el horario partido de muchos comercios mantiene una pausa larga a mediodía, pero la mayoría de la gente la dedica a comer con calma, hacer recados o volver a casa, no necesariamente a dormir. Las jornadas largas y los desplazamientos hacen que cada vez menos personas puedan permitirse ese descanso.",
            "Algunos expertos en salud defienden una siesta corta, de veinte minutos como máximo, porque mejora la atención y el estado de ánimo. Advierten, sin embargo, que dormir demasiado por la tarde puede dificultar el sueño nocturno, un problema frecuente en un país donde se cena y se acuesta tarde.",
            "Así que la siesta sigue existiendo, sobre todo los fines de semana y en vacaciones, pero ya no marca el ritmo de la vida diaria como en otros tiempos.",
        ],
    ),
    (
        "ru",
        "baikal-zima",
        "Зимний Байкал: путешествие по прозрачному льду",
        [
            "Каждую зиму на Байкал приезжают тысячи путешественников, чтобы увидеть прозрачный лёд, который образуется на самом глубоком озере мира. В феврале толщина льда достигает метра, и по нему можно ходить, ездить на велосипеде и даже на машине по специально размеченным дорогам. Сквозь чистые участки видно, как в глубине поднимаются пузырьки газа, застывшие в несколько слоёв.",
            "Мы начали поездку в посёлке Листвянка, недалеко от Иркутска, а затем отправились на остров Ольхон. Дорога по льду заняла несколько часов. Водитель хорошо знал трещины и торосы и несколько раз останавливался, чтобы показать нам особенно красивые места, где лёд был тёмно-зелёным и блестел на солнце.",
            "Местные жители относятся к озеру с большим уважением. Они рассказывают легенды о духах Байкала и напоминают гостям, что погода здесь меняется очень быстро. Сильный ветер может за час поднять метель, поэтому выходить на лёд без опытного проводника не рекомендуется, особенно в конце зимы, когда появляются опасные промоины.",
            "Вечером мы грелись в деревянном доме, пили чай с облепихой и ели омуля, знаменитую байкальскую рыбу. Хозяйка рассказывала, что в последние годы туристов становится всё больше, и это приносит деревне доход, но вместе с тем появляется больше мусора и шума.",
            "Экологи призывают путешественников бережно относиться к природе: не оставлять мусор на льду, пользоваться услугами местных гидов и не заезжать на машинах туда, где это запрещено. Байкал уникален, и от каждого из нас зависит, сохранится ли он для будущих поколений.",
        ],
    ),
    (
        "ru",
        "chaynaya-traditsiya",
        "Как самовар стал символом русского чаепития",
        [
            "Чай появился в России в семнадцатом веке, когда его привезли в подарок царю из Китая. Сначала напиток считался дорогим лекарством, но постепенно он стал привычным в купеческих семьях, а затем и во всех слоях общества. К девятнадцатому веку чаепитие превратилось в важную часть русской жизни.",
            "Главным символом этой традиции стал самовар. Это металлический сосуд, в котором вода нагревается с помощью углей, помещённых в трубу внутри. На верх самовара ставили небольшой заварочный чайник с крепкой заваркой, которую затем разбавляли кипятком в чашках. Так каждый мог выбрать, насколько крепким будет его чай.",
            "Самовары делали в разных городах, но особенно знаменитой стала Тула. Мастера создавали их самых разных форм и размеров, от маленьких дорожных до огромных, рассчитанных на большую семью и гостей. Хороший самовар передавался по наследству и считался ценным подарком к свадьбе.",
            "Чаепитие было не просто способом утолить жажду. За самоваром собирались родственники и соседи, обсуждали новости, решали семейные дела и подолгу беседовали. Чай пили с вареньем, мёдом, баранками и пирогами, и хозяйка старалась поставить на стол всё самое лучшее.",
            "Сегодня электрический чайник заменил самовар в большинстве домов, но традиция долгих разговоров за чаем сохранилась. А старые самовары можно увидеть в музеях, на дачах и в ресторанах, где их ставят на стол в особых случаях.",
        ],
    ),
    (
        "zh",
        "changcheng-tubu",
        "徒步古长城：从金山岭到司马台",
        [
            "金山岭长城位于北京东北方向，大约两个半小时的车程。和游客众多的八达岭不同，这里的城墙大部分保持着明代的原貌，有的地段已经破损，长满了野草和小树。清晨的时候，山谷里常常有雾，远处的敌楼在雾中若隐若现，非常壮观。",
            "我们从东门出发，沿着城墙向东走。台阶有的很陡，有的已经松动，所以一定要穿一双防滑的鞋子，并且带足饮用水。途中我们经过了二十多座敌楼，每一座的结构都不太一样，有的是砖砌的拱顶，有的还能看到当年守城士兵留下的刻字。",
            "走到中午，我们在一座敌楼里休息。一位在附近村子里长大的老人正在卖水和黄瓜。他告诉我们，小时候村里的孩子经常爬上长城玩耍，那时候很少有外地人来。现在游客多了，村民们开起了农家院，生活也比以前好了很多。",
            "下午的路段更加险峻，有的地方需要手脚并用才能通过。快到司马台的时候，景区规定游客不能继续向前，我们只好从一个出口下山。虽然没有走完全程，但是一路上的风景已经让我们觉得非常值得。",
            "如果你打算来这里徒步，最好选择春天或者秋天，天气凉爽，风景也最美。夏天太热，冬天风大路滑，都不太适合长时间行走。另外，请不要在城墙上乱刻乱画，也不要把垃圾留在山上，让这些古老的城墙能够保存得更久。",
        ],
    ),
    (
        "zh",
        "chawenhua",
        "一杯茶里的中国生活",
        [
            "在中国，喝茶已经有几千年的历史。从南方的茶园到北方的胡同，人们每天都会泡上一壶茶，有的人喜欢绿茶的清香，有的人喜欢红茶的浓郁，还有的人离不开普洱或者乌龙。茶不仅是一种饮料，也是一种生活方式。",
            "在福建和广东，很多家庭习惯用小壶小杯泡工夫茶。主人先用开水把茶具烫一遍，再放入茶叶，第一泡通常倒掉，叫做洗茶。之后每一泡的时间都很短，茶汤的味道会慢慢变化。客人喝完一杯，主人就会马上再倒满，表示欢迎和尊重。",
            "在北方的老茶馆里，人们一边喝着大碗茶，一边听相声、聊天、下棋。茶馆曾经是城市里最热闹的地方，各行各业的人都在这里交换消息。现在，这样的老茶馆已经不多了，但是新的茶室和奶茶店却越来越受年轻人的欢迎。",
            "茶也和许多节日和习俗联系在一起。结婚的时候，新人要给父母敬茶；客人来访的时候，主人首先要倒一杯茶；朋友之间送一盒好茶，也是一份体面的礼物。不同地方的人对茶有不同的讲究，但是对茶的热爱是相同的。",
            "如今，中国的茶叶出口到世界各地，越来越多的外国人也开始了解中国茶。不过，对很多中国人来说，最好喝的茶也许还是小时候家里那一杯普普通通的热茶。",
        ],
    ),
]
